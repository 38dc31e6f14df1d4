"""Commands: what a participant, the operator or the clock asks of the exchange.

Every command carries its own time ``at`` (microseconds since the epoch, UTC) and the ids
of whatever it creates; the engine never reads a clock or invents an id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cqx_matching.domain.restrictions import ReinstateTrading, RestrictTrading
from cqx_matching.domain.vocabulary import OrderType, SelfTradePrevention, Side, TimeInForce

# --- the risk ledger (R-T5): money and allowances assigned to trading -----------------------


@dataclass(frozen=True, slots=True)
class DepositFunds:
    """Make ``amount`` fen available to the account's trading."""

    account: str
    amount: int
    at: int


@dataclass(frozen=True, slots=True)
class WithdrawFunds:
    """Take ``amount`` fen of the account's free (unreserved) cash out of trading."""

    account: str
    amount: int
    at: int


@dataclass(frozen=True, slots=True)
class AssignAllowances:
    """Move allowances from the registry position into the trading position."""

    account: str
    instrument: str
    quantity: int
    at: int


@dataclass(frozen=True, slots=True)
class WithdrawAllowances:
    """Move free (unreserved, already sellable) allowances back to the registry position."""

    account: str
    instrument: str
    quantity: int
    at: int


# --- the trading day ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenTradingDay:
    """Start the trading day ``day`` (a trading day by the calendar)."""

    day: date
    at: int


@dataclass(frozen=True, slots=True)
class CloseTradingDay:
    """End the open trading day: expire orders, close auctions, publish statistics (R-T9)."""

    at: int


@dataclass(frozen=True, slots=True)
class OpenInstrumentDay:
    """The operator opens ``instrument`` for ``day`` around ``previous_close`` (0: the last
    close); the first instrument opened on a day opens the exchange's day, and an instrument
    named for the first time is listed."""

    instrument: str
    day: date
    previous_close: int
    at: int


@dataclass(frozen=True, slots=True)
class CloseInstrumentDay:
    """The operator closes ``instrument``'s day: its orders expire (R-T10), its figures are
    published (R-T9); closing the last open instrument ends the exchange's day (R-T6)."""

    instrument: str
    at: int


# --- orders: the continuous book and the listed agreement book ---------------------------


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    """Enter an order in the continuous (price-time priority) book.

    ``price`` is the limit in fen; it must be None for ``MARKET_TO_LIMIT``. ``post_only``
    orders must rest without trading. ``self_trade_prevention`` None means the instrument's
    configured mode.
    """

    instrument: str
    order_id: str
    account: str
    side: Side
    quantity: int
    price: int | None
    at: int
    order_type: OrderType = OrderType.LIMIT
    time_in_force: TimeInForce = TimeInForce.DAY
    post_only: bool = False
    self_trade_prevention: SelfTradePrevention | None = None


@dataclass(frozen=True, slots=True)
class PostListing:
    """Post a listed-agreement maker order (挂牌): under 100,000 t, inside the ±10% band."""

    instrument: str
    order_id: str
    account: str
    side: Side
    quantity: int
    price: int
    at: int


@dataclass(frozen=True, slots=True)
class TakeListing:
    """Trade against a listing (摘牌) at the maker's price (R-T7, R-T8).

    ``maker_order_id`` names the maker, which must sit in the other side's best five price
    levels; None asks for the automatic choice (best price, then oldest). ``limit_price`` is
    the worst price the taker accepts (None: any price in the band). The traded quantity is
    ``quantity`` up to the maker's remainder; nothing of the taker rests.
    """

    instrument: str
    order_id: str
    account: str
    side: Side
    quantity: int
    at: int
    maker_order_id: str | None = None
    limit_price: int | None = None


@dataclass(frozen=True, slots=True)
class CancelOrder:
    """Cancel an open order (continuous or listed). A filled order cannot be (R-T10)."""

    instrument: str
    order_id: str
    account: str
    at: int


@dataclass(frozen=True, slots=True)
class ReduceOrder:
    """Lower an open order's remaining quantity to ``quantity``; it keeps its place."""

    instrument: str
    order_id: str
    account: str
    quantity: int
    at: int


@dataclass(frozen=True, slots=True)
class ReplaceOrder:
    """Give an open limit order a new price and remaining quantity; it loses its place."""

    instrument: str
    order_id: str
    account: str
    price: int
    quantity: int
    at: int


# --- block agreement (R-T3) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposeBlockTrade:
    """Quote a block deal; ``counterparty`` None is an open quote any other party may take."""

    instrument: str
    negotiation_id: str
    account: str
    side: Side
    price: int
    quantity: int
    at: int
    counterparty: str | None = None


@dataclass(frozen=True, slots=True)
class CounterBlockTrade:
    """Answer a quote with different terms, which the counterer thereby confirms."""

    instrument: str
    negotiation_id: str
    account: str
    price: int
    quantity: int
    at: int


@dataclass(frozen=True, slots=True)
class AcceptBlockTrade:
    """Confirm the other party's terms; they must equal the ``price`` and ``quantity`` given."""

    instrument: str
    negotiation_id: str
    account: str
    price: int
    quantity: int
    at: int


@dataclass(frozen=True, slots=True)
class WithdrawBlockTrade:
    """Leave a negotiation before a deal exists."""

    instrument: str
    negotiation_id: str
    account: str
    at: int


# --- one-way bidding (R-T11) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnnounceBidding:
    """Announce a one-way bidding: the initiator sells (or buys) ``quantity``.

    Bids must be at least (for a sale) or at most (for a purchase) ``reserve_price`` and arrive
    in [window_start, window_end). ``eligible`` None lets every other account bid.
    """

    instrument: str
    auction_id: str
    account: str
    side: Side
    quantity: int
    reserve_price: int
    window_start: int
    window_end: int
    at: int
    eligible: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class SubmitBid:
    """A sealed bid on an announced one-way bidding."""

    instrument: str
    auction_id: str
    bid_id: str
    account: str
    price: int
    quantity: int
    at: int


@dataclass(frozen=True, slots=True)
class CloseBidding:
    """Allocate an auction whose window has ended and release what did not fill."""

    instrument: str
    auction_id: str
    at: int


Command = (
    DepositFunds
    | WithdrawFunds
    | AssignAllowances
    | WithdrawAllowances
    | RestrictTrading
    | ReinstateTrading
    | OpenTradingDay
    | CloseTradingDay
    | OpenInstrumentDay
    | CloseInstrumentDay
    | PlaceOrder
    | PostListing
    | TakeListing
    | CancelOrder
    | ReduceOrder
    | ReplaceOrder
    | ProposeBlockTrade
    | CounterBlockTrade
    | AcceptBlockTrade
    | WithdrawBlockTrade
    | AnnounceBidding
    | SubmitBid
    | CloseBidding
)

COMMAND_TYPES: tuple[type[Command], ...] = (
    DepositFunds,
    WithdrawFunds,
    AssignAllowances,
    WithdrawAllowances,
    RestrictTrading,
    ReinstateTrading,
    OpenTradingDay,
    CloseTradingDay,
    OpenInstrumentDay,
    CloseInstrumentDay,
    PlaceOrder,
    PostListing,
    TakeListing,
    CancelOrder,
    ReduceOrder,
    ReplaceOrder,
    ProposeBlockTrade,
    CounterBlockTrade,
    AcceptBlockTrade,
    WithdrawBlockTrade,
    AnnounceBidding,
    SubmitBid,
    CloseBidding,
)
