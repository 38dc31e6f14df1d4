"""How an incoming order crosses the continuous book: the walk through the opposite side in
price-time priority, self-trade prevention on the way, and what becomes of the remainder.

Part of the engine's hot path, with the exceptions to the house style that
:mod:`cqx_matching.domain.book.continuous` explains: ``cross`` is one long loop, writes each level's
head, quantity and count once when it leaves the level, and builds its ``TradeExecuted``
events with ``object.__new__`` and one store per field (the check at the end of this module
fails at import if that class gains or loses a field).
"""

from __future__ import annotations

from dataclasses import fields

from cqx_matching.domain.book.order_index import OrderIndex
from cqx_matching.domain.book.price_levels import BookSide, PriceLevel, RestingOrder
from cqx_matching.domain.errors import check
from cqx_matching.domain.events import Event, OrderCancelled, TradeExecuted
from cqx_matching.domain.vocabulary import (
    CancelReason,
    SelfTradePrevention,
    Side,
    TradingMode,
)

BUY, SELL = Side.BUY, Side.SELL
CONTINUOUS = TradingMode.CONTINUOUS
NEWEST, OLDEST = SelfTradePrevention.CANCEL_NEWEST, SelfTradePrevention.CANCEL_OLDEST
STP_CANCELLED = CancelReason.SELF_TRADE_PREVENTED
UNFILLED = CancelReason.UNFILLED_REMAINDER
_new = object.__new__


def settle_incoming(
    book: OrderIndex, order: RestingOrder, rests: bool, events: list[Event], at: int
) -> None:
    """Rest what is left of an incoming order, or cancel it (IOC), or mark it filled."""
    oid = order.order_id
    if not order.remaining:
        book.close(oid, filled=True)
    elif rests:
        book.rest(order)
    else:
        events.append(
            OrderCancelled(
                book.instrument, oid, order.account, CONTINUOUS, order.remaining,
                UNFILLED, at,
            )
        )  # fmt: skip
        book.close(oid, filled=False)


def cross(
    book: OrderIndex,
    taker: RestingOrder,
    side: BookSide,
    stp: SelfTradePrevention,
    fee_bps: int,
    events: list[Event],
    at: int,
) -> bool:
    """Trade ``taker`` against ``side`` in price-time priority, each side paying ``fee_bps``
    of the notional; True if STP cancelled it.

    A level's filled makers are a prefix of its queue: they are dropped as the walk goes
    (each one's forward link cut, so no cycle is left for the collector) and the level's
    head, quantity and count are written once, when the walk leaves the level.
    """
    levels, keys, sign = side.levels, side.keys, side.sign
    limit_key = sign * taker.price
    remaining, account = taker.remaining, taker.account
    open_orders, counter = book.open, book.trades
    append = events.append
    instrument, taker_id = book.instrument, taker.order_id
    taker_buys = taker.is_buy
    aggressor = BUY if taker_buys else SELL
    trade_id = counter.value
    while remaining and keys and keys[-1] >= limit_key:
        price = keys[-1] * sign
        level = levels[price]
        maker = level.head  # the oldest order at this price
        taken = gone = 0  # what the walk has taken from the level so far
        while maker is not None:
            maker_account = maker.account
            if maker_account == account:
                level.head, maker.older = maker, None
                level.quantity -= taken
                level.count -= gone
                taken = gone = 0
                if _prevent_self_trade(book, maker, taker, remaining, level, side, stp, events, at):
                    counter.value = trade_id
                    return True
                maker = level.head
                continue
            available, maker_id = maker.remaining, maker.order_id
            fill = available if available < remaining else remaining
            fee = price * fill * fee_bps // 10_000
            trade_id += 1
            trade = _new(TradeExecuted)
            trade.instrument, trade.trade_id, trade.mode = instrument, trade_id, CONTINUOUS
            trade.price, trade.quantity, trade.aggressor = price, fill, aggressor
            if taker_buys:
                trade.buy_order_id, trade.buyer = taker_id, account
                trade.sell_order_id, trade.seller = maker_id, maker_account
            else:
                trade.buy_order_id, trade.buyer = maker_id, maker_account
                trade.sell_order_id, trade.seller = taker_id, account
            trade.buyer_fee = trade.seller_fee = fee
            trade.at = at
            append(trade)
            remaining -= fill
            if fill == available:
                del open_orders[maker_id]  # closed filled: its id stays in ``seen``
                taken += fill
                gone += 1
                newer = maker.newer
                maker.newer = None
                maker = newer
                if not remaining:
                    break
            else:
                maker.remaining = available - fill
                taken += fill
                break
        if maker is None:  # the walk emptied the level: it is the best one, so last
            del levels[price]
            keys.pop()
        else:
            level.head, maker.older = maker, None
            level.quantity -= taken
            level.count -= gone
    counter.value = trade_id
    taker.remaining = remaining
    return False


def _prevent_self_trade(
    book: OrderIndex,
    maker: RestingOrder,
    taker: RestingOrder,
    remaining: int,
    level: PriceLevel,
    side: BookSide,
    stp: SelfTradePrevention,
    events: list[Event],
    at: int,
) -> bool:
    """``taker`` (with ``remaining`` left) meets ``maker``, the head of ``level``, of the
    same account: cancel the maker (unless CANCEL_NEWEST) and the taker (unless
    CANCEL_OLDEST). True if the taker was cancelled, which ends its matching."""
    instrument, account = book.instrument, maker.account
    if stp is not NEWEST:
        level.unlink(maker)
        book.close(maker.order_id, filled=False)
        events.append(
            OrderCancelled(
                instrument, maker.order_id, account, CONTINUOUS, maker.remaining,
                STP_CANCELLED, at,
            )
        )  # fmt: skip
    if stp is OLDEST:
        return False
    if not level.count:
        side.drop(level.price)
    events.append(
        OrderCancelled(
            instrument, taker.order_id, account, CONTINUOUS, remaining, STP_CANCELLED, at
        )
    )
    taker.remaining = 0
    book.close(taker.order_id, filled=False)
    return True


def _check_trade_constructor() -> None:
    """``TradeExecuted`` has exactly the fields ``cross`` sets."""
    names = (
        "instrument trade_id mode price quantity buy_order_id buyer sell_order_id seller "
        "aggressor buyer_fee seller_fee at"
    )
    found = tuple(f.name for f in fields(TradeExecuted))
    check(found == tuple(names.split()), f"TradeExecuted has changed: update {__name__}")


_check_trade_constructor()
