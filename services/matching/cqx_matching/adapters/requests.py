"""API requests → engine commands (stamped with the time they are decided at).

Each function checks that the request is well formed (INVALID_ARGUMENT otherwise, nothing
recorded) and returns a factory ``at → command``; the trading rules are the engine's.
"""

from __future__ import annotations

from collections.abc import Callable

from cqx.matching.v1 import matching_service_pb2 as api

from cqx_matching.adapters.enums import ENUM_FROM
from cqx_matching.application import validation as valid
from cqx_matching.application.errors import invalid
from cqx_matching.domain import (
    AnnounceBidding,
    Command,
    OrderType,
    PlaceOrder,
    PostListing,
    ProposeBlockTrade,
    Reason,
    Side,
    TakeListing,
    TimeInForce,
    TradingMode,
)

Make = Callable[[int], Command]


def side(value: int) -> Side:
    """BUY or SELL; INVALID_ARGUMENT ``SIDE_MISSING`` otherwise."""
    found: Side | None = ENUM_FROM[Side].get(value)
    if found is None:
        raise invalid("side is BUY or SELL", "SIDE_MISSING")
    return found


def trading_mode(value: int) -> TradingMode:
    """The mode of an order: CONTINUOUS (the default) or LISTED."""
    mode: TradingMode = ENUM_FROM[TradingMode].get(value, TradingMode.CONTINUOUS)
    if mode not in (TradingMode.CONTINUOUS, TradingMode.LISTED):
        raise invalid(
            "orders go to the CONTINUOUS or the LISTED book; block deals and biddings have "
            "their own requests",
            "MODE_HAS_NO_BOOK",
        )
    return mode


def place_order(request: api.PlaceOrderRequest, order_id: str) -> Make:
    """A continuous-book order, or a listing (trading_mode LISTED)."""
    account = valid.account_id(request.account_id)
    instrument = valid.instrument(request.instrument)
    buy_or_sell = side(request.side)
    quantity = valid.positive_quantity(request.quantity_tonnes)
    mode = trading_mode(request.trading_mode)
    order_type = ENUM_FROM[OrderType].get(request.order_type, OrderType.LIMIT)
    tif = ENUM_FROM[TimeInForce].get(request.time_in_force, TimeInForce.DAY)
    price: int | None = None
    if order_type is OrderType.LIMIT:
        price = valid.positive_price(request.price_fen)
    elif request.price_fen:
        raise invalid("a market-to-limit order takes no price", Reason.PRICE_NOT_ALLOWED)
    simple = order_type is OrderType.LIMIT and tif is TimeInForce.DAY
    if (request.post_only or mode is TradingMode.LISTED) and not simple:
        raise invalid("post-only orders and listings are LIMIT DAY", Reason.INVALID_ORDER_TYPE)
    if mode is TradingMode.LISTED:
        assert price is not None
        return lambda at: PostListing(
            instrument, order_id, account, buy_or_sell, quantity, price, at
        )
    post_only = request.post_only
    return lambda at: PlaceOrder(
        instrument, order_id, account, buy_or_sell, quantity, price, at, order_type, tif,
        post_only,
    )  # fmt: skip


def take_listing(request: api.TakeListingRequest, order_id: str) -> Make:
    """A listed taker: a named maker or the automatic choice, an optional worst price."""
    account = valid.account_id(request.account_id)
    instrument = valid.instrument(request.instrument)
    buy_or_sell = side(request.side)
    quantity = valid.positive_quantity(request.quantity_tonnes)
    limit = valid.not_negative(request.limit_price_fen, "limit_price_fen", "PRICE_NOT_POSITIVE")
    maker = request.maker_order_id or None
    return lambda at: TakeListing(
        instrument, order_id, account, buy_or_sell, quantity, at, maker, limit or None
    )


def propose_block_trade(request: api.ProposeBlockTradeRequest, negotiation_id: str) -> Make:
    """A block quote, to a named counterparty or open."""
    account = valid.account_id(request.account_id)
    instrument = valid.instrument(request.instrument)
    buy_or_sell = side(request.side)
    price = valid.positive_price(request.price_fen)
    quantity = valid.positive_quantity(request.quantity_tonnes)
    counterparty = None
    if request.counterparty_account_id:
        counterparty = valid.account_id(request.counterparty_account_id, "counterparty_account_id")
    return lambda at: ProposeBlockTrade(
        instrument, negotiation_id, account, buy_or_sell, price, quantity, at, counterparty
    )


def announce_bidding(request: api.AnnounceBiddingRequest, auction_id: str) -> Make:
    """A one-way bidding's announcement."""
    account = valid.account_id(request.account_id)
    instrument = valid.instrument(request.instrument)
    buy_or_sell = side(request.side)
    quantity = valid.positive_quantity(request.quantity_tonnes)
    reserve = valid.positive_price(request.reserve_price_fen, "reserve_price_fen")
    start = valid.timestamp_us(request.window_start_us, "window_start_us")
    end = valid.timestamp_us(request.window_end_us, "window_end_us")
    eligible = None
    if request.eligible_account_ids:
        eligible = frozenset(
            valid.account_id(a, "eligible_account_ids") for a in request.eligible_account_ids
        )
    return lambda at: AnnounceBidding(
        instrument, auction_id, account, buy_or_sell, quantity, reserve, start, end, at, eligible
    )
