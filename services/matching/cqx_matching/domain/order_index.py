"""What every order book keeps: two sides, an index by order id, the day's closed orders.

The continuous book and the listed agreement book both build on :class:`OrderIndex`; its
``evolve`` is the replay of order events, which needs no matching because the trades are in
the events.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cqx_matching.domain.errors import check
from cqx_matching.domain.events import (
    Event,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderReduced,
    OrderReplaced,
    TradeExecuted,
)
from cqx_matching.domain.price_levels import BookSide, RestingOrder
from cqx_matching.domain.vocabulary import Reason, Side, TradingMode


class TradeCounter:
    """The instrument's trade sequence, shared by every mode's book."""

    __slots__ = ("value",)

    def __init__(self, value: int = 0) -> None:
        self.value = value


def closed_reason(filled: bool | None) -> str:
    """Why a command on a no-longer-open order fails: filled (R-T10), closed, or unknown."""
    if filled is None:
        return Reason.ORDER_NOT_FOUND
    return Reason.ORDER_ALREADY_FILLED if filled else Reason.ORDER_ALREADY_CLOSED


class OrderIndex:
    """Two book sides, the open orders by id, and the day's closed order ids."""

    __slots__ = ("asks", "bids", "closed", "instrument", "mode", "orders", "sequence", "trades")

    def __init__(self, instrument: str, mode: TradingMode, trades: TradeCounter | None) -> None:
        self.instrument = instrument
        self.mode = mode
        self.bids = BookSide(is_buy=True)
        self.asks = BookSide(is_buy=False)
        self.orders: dict[str, RestingOrder] = {}
        self.closed: dict[str, bool] = {}  # order id → filled (True) or cancelled/expired
        self.sequence = 0  # arrival order: the time in price-time priority
        self.trades = trades if trades is not None else TradeCounter()

    def side(self, is_buy: bool) -> BookSide:
        """The bids (``is_buy``) or the asks."""
        return self.bids if is_buy else self.asks

    def take_off(self, order: RestingOrder, filled: bool) -> None:
        """Remove a live order from the book and remember how it closed."""
        del self.orders[order.order_id]
        self.side(order.is_buy).remove(order)
        self.closed[order.order_id] = filled

    def fill(self, order_id: str, quantity: int) -> None:
        """Replay part of a trade: the order (if on this book) loses ``quantity``."""
        order = self.orders.get(order_id)
        if order is None:
            self.closed[order_id] = True  # a listed taker: it traded and never rested
        elif quantity == order.remaining:
            self.take_off(order, filled=True)
        else:
            self.side(order.is_buy).reduce(order, order.remaining - quantity)

    def rest(self, order: RestingOrder) -> None:
        """Put a new order on the book."""
        self.orders[order.order_id] = order
        self.side(order.is_buy).add(order)

    def evolve(self, event: Event) -> None:
        """Apply an order event of this book's mode without matching (replay)."""
        if isinstance(event, OrderAccepted):
            self.sequence += 1
            is_buy = event.side is Side.BUY
            self.rest(
                RestingOrder(
                    event.order_id, event.account, is_buy, event.price, event.quantity,
                    self.sequence, event.post_only,
                )
            )  # fmt: skip
        elif isinstance(event, TradeExecuted):
            self.trades.value = max(self.trades.value, event.trade_id)
            self.fill(event.buy_order_id, event.quantity)
            self.fill(event.sell_order_id, event.quantity)
        elif isinstance(event, OrderCancelled | OrderExpired):
            self.take_off(self.orders[event.order_id], filled=False)
        elif isinstance(event, OrderReduced):
            order = self.orders[event.order_id]
            self.side(order.is_buy).reduce(order, event.quantity)
        elif isinstance(event, OrderReplaced):
            self._evolve_replaced(event)

    def _evolve_replaced(self, event: OrderReplaced) -> None:
        order = self.orders.pop(event.order_id)
        self.side(order.is_buy).remove(order)
        self.sequence += 1
        self.rest(
            RestingOrder(
                event.order_id, event.account, order.is_buy, event.price, event.quantity,
                self.sequence, order.post_only,
            )
        )  # fmt: skip

    def expire_all(self, at: int) -> list[Event]:
        """The day's close: every open order expires (R-T10), oldest first. Read-only: the
        events are applied by :meth:`evolve`."""
        return [
            OrderExpired(self.instrument, o.order_id, o.account, self.mode, o.remaining, at)
            for o in sorted(self.orders.values(), key=lambda o: o.sequence)
        ]

    def forget_day(self) -> None:
        """After the close: the day's closed order ids may be used again."""
        self.closed.clear()

    def open_orders(self) -> Iterator[RestingOrder]:
        """Every open order, bids then asks, each in priority."""
        yield from self.bids.in_priority()
        yield from self.asks.in_priority()

    def snapshot(self) -> dict[str, Any]:
        """The book as plain values, for comparing a live book with a rebuilt one."""
        return {
            "bids": self.bids.snapshot(),
            "asks": self.asks.snapshot(),
            "closed": sorted(self.closed.items()),
            "sequence": self.sequence,
            "trades": self.trades.value,
        }

    def validate_internal_state(self) -> None:
        """Check the index and both sides against each other."""
        live = self.bids.validate(self.orders) + self.asks.validate(self.orders)
        check(live == len(self.orders), f"{len(self.orders)} indexed, {live} on the book")
        both = set(self.orders) & set(self.closed)
        check(not both, f"orders both open and closed: {sorted(both)[:3]}")
