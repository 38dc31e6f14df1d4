"""The words of the trading rules: sides, order types, trading modes and rejection reasons."""

from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    """Which way an order, quote or announcement trades."""

    BUY = "BUY"
    SELL = "SELL"

    @property
    def opposite(self) -> Side:
        """The other side."""
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    """How the price of a continuous-book order is set.

    ``MARKET_TO_LIMIT`` takes the best opposite price at acceptance as its limit: it trades
    only at that price and any remainder rests there (as on EU spot venues).
    """

    LIMIT = "LIMIT"
    MARKET_TO_LIMIT = "MARKET_TO_LIMIT"


class TimeInForce(StrEnum):
    """How long an order lives. Every resting order is a day order (R-T10)."""

    DAY = "DAY"
    IOC = "IOC"  # immediate or cancel: the unfilled remainder is cancelled at once
    FOK = "FOK"  # fill or kill: filled completely at once, or rejected with no effect


class SelfTradePrevention(StrEnum):
    """What happens when an order would trade with a resting order of the same participant."""

    CANCEL_NEWEST = "CANCEL_NEWEST"  # cancel the incoming order's remainder
    CANCEL_OLDEST = "CANCEL_OLDEST"  # cancel the resting order and keep matching
    CANCEL_BOTH = "CANCEL_BOTH"  # cancel both


class TradingMode(StrEnum):
    """The four ways an instrument trades (R-T1..R-T11)."""

    CONTINUOUS = "CONTINUOUS"  # price-time-priority double auction
    LISTED = "LISTED"  # listed agreement (挂牌协议): a taker picks a maker
    BLOCK = "BLOCK"  # block agreement (大宗协议): two named parties confirm terms
    BIDDING = "BIDDING"  # one-way bidding (单向竞价): sealed bids against an announcement


class BiddingAllocation(StrEnum):
    """How the winning bids of a one-way bidding share the announced quantity (R-T11)."""

    PRICE_TIME = "PRICE_TIME"  # best price first, then earliest; partial fill at the margin
    PRICE_PRO_RATA = "PRICE_PRO_RATA"  # at the marginal price, shares pro rata, then by time


class CancelReason(StrEnum):
    """Why an order left the book before it was filled (other than expiry at the close)."""

    REQUESTED = "REQUESTED"
    SELF_TRADE_PREVENTED = "SELF_TRADE_PREVENTED"
    UNFILLED_REMAINDER = "UNFILLED_REMAINDER"  # the rest of an IOC order
    PARTICIPANT_RESTRICTED = "PARTICIPANT_RESTRICTED"  # its owner was restricted (R-A5)


class Reason(StrEnum):
    """Why a command was rejected: the UPPER_SNAKE code clients and the gRPC edge see."""

    UNKNOWN_INSTRUMENT = "UNKNOWN_INSTRUMENT"
    MODE_NOT_ENABLED = "MODE_NOT_ENABLED"
    SESSION_CLOSED = "SESSION_CLOSED"
    DAY_NOT_OPEN = "DAY_NOT_OPEN"
    DAY_ALREADY_OPEN = "DAY_ALREADY_OPEN"
    DAY_ALREADY_CLOSED = "DAY_ALREADY_CLOSED"
    TRADING_DATE_NOT_TODAY = "TRADING_DATE_NOT_TODAY"
    PREVIOUS_DAY_STILL_OPEN = "PREVIOUS_DAY_STILL_OPEN"
    PREVIOUS_CLOSE_REQUIRED = "PREVIOUS_CLOSE_REQUIRED"
    INSTRUMENT_INVALID = "INSTRUMENT_INVALID"
    NOT_A_TRADING_DAY = "NOT_A_TRADING_DAY"
    SESSION_STILL_OPEN = "SESSION_STILL_OPEN"
    DUPLICATE_ID = "DUPLICATE_ID"
    QUANTITY_NOT_POSITIVE = "QUANTITY_NOT_POSITIVE"
    QUANTITY_NOT_REDUCED = "QUANTITY_NOT_REDUCED"
    AMOUNT_NOT_POSITIVE = "AMOUNT_NOT_POSITIVE"
    LISTED_QUANTITY_TOO_LARGE = "LISTED_QUANTITY_TOO_LARGE"
    QUANTITY_TOO_LARGE = "QUANTITY_TOO_LARGE"  # a continuous order (the same limit, R-T1)
    BLOCK_QUANTITY_TOO_SMALL = "BLOCK_QUANTITY_TOO_SMALL"
    PRICE_REQUIRED = "PRICE_REQUIRED"
    PRICE_NOT_ALLOWED = "PRICE_NOT_ALLOWED"
    PRICE_NOT_POSITIVE = "PRICE_NOT_POSITIVE"
    PRICE_NOT_ON_TICK = "PRICE_NOT_ON_TICK"
    PRICE_OUTSIDE_BAND = "PRICE_OUTSIDE_BAND"
    INVALID_ORDER_TYPE = "INVALID_ORDER_TYPE"
    NO_OPPOSITE_ORDERS = "NO_OPPOSITE_ORDERS"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    INSUFFICIENT_ALLOWANCES = "INSUFFICIENT_ALLOWANCES"
    ACCOUNT_NOT_FOUND = "ACCOUNT_NOT_FOUND"  # no funds or allowances ever came in
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    ORDER_ALREADY_FILLED = "ORDER_ALREADY_FILLED"
    ORDER_ALREADY_CLOSED = "ORDER_ALREADY_CLOSED"
    NOT_ORDER_OWNER = "NOT_ORDER_OWNER"
    SELF_TRADE_PREVENTED = "SELF_TRADE_PREVENTED"
    FOK_NOT_FILLABLE = "FOK_NOT_FILLABLE"
    POST_ONLY_WOULD_CROSS = "POST_ONLY_WOULD_CROSS"
    MAKER_NOT_FOUND = "MAKER_NOT_FOUND"
    MAKER_NOT_IN_BEST_FIVE = "MAKER_NOT_IN_BEST_FIVE"
    NO_MAKER_AVAILABLE = "NO_MAKER_AVAILABLE"
    PRICE_WORSE_THAN_LIMIT = "PRICE_WORSE_THAN_LIMIT"
    NEGOTIATION_NOT_FOUND = "NEGOTIATION_NOT_FOUND"
    NOT_A_PARTY = "NOT_A_PARTY"
    COUNTERPARTY_IS_SELF = "COUNTERPARTY_IS_SELF"
    OWN_TERMS = "OWN_TERMS"
    TERMS_MISMATCH = "TERMS_MISMATCH"
    AUCTION_NOT_FOUND = "AUCTION_NOT_FOUND"
    AUCTION_CLOSED = "AUCTION_CLOSED"
    BIDDING_WINDOW_INVALID = "BIDDING_WINDOW_INVALID"
    OUTSIDE_BIDDING_WINDOW = "OUTSIDE_BIDDING_WINDOW"
    BIDDING_WINDOW_NOT_OVER = "BIDDING_WINDOW_NOT_OVER"
    NOT_ELIGIBLE_TO_BID = "NOT_ELIGIBLE_TO_BID"
    BID_WORSE_THAN_RESERVE = "BID_WORSE_THAN_RESERVE"
    BID_QUANTITY_TOO_LARGE = "BID_QUANTITY_TOO_LARGE"
    PARTICIPANT_RESTRICTED = "PARTICIPANT_RESTRICTED"  # the account's owner is restricted (R-A5)
