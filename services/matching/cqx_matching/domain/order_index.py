"""What every order book keeps: two sides and one index of the day's order ids.

The index maps an order id to the live order while it is open and to True (filled) or False
(cancelled or expired) once it is closed, so that a command on a closed order gets the right
rejection (R-T10) and an id is never reused within a day. One dict, one lookup: on the hot
path that is cheaper than separate open and closed maps.

The continuous book and the listed agreement book both build on :class:`OrderIndex`; its
``evolve`` is the replay of order events, which needs no matching because the trades are in
the events.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cqx_matching.domain.errors import InconsistentStateError, check
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


def closed_reason(entry: RestingOrder | bool | None) -> str:
    """Why a command on a not-open order fails: filled (R-T10), closed, or unknown."""
    if entry is None or isinstance(entry, RestingOrder):
        return Reason.ORDER_NOT_FOUND
    return Reason.ORDER_ALREADY_FILLED if entry else Reason.ORDER_ALREADY_CLOSED


class OrderIndex:
    """Two book sides and the index of the day's orders, open and closed."""

    __slots__ = ("asks", "bids", "index", "instrument", "mode", "sequence", "trades")

    def __init__(self, instrument: str, mode: TradingMode, trades: TradeCounter | None) -> None:
        self.instrument = instrument
        self.mode = mode
        self.bids = BookSide(is_buy=True)
        self.asks = BookSide(is_buy=False)
        self.index: dict[str, RestingOrder | bool] = {}  # open order, or filled (True) or not
        self.sequence = 0  # arrival order: the time in price-time priority
        self.trades = trades if trades is not None else TradeCounter()

    def side(self, is_buy: bool) -> BookSide:
        """The bids (``is_buy``) or the asks."""
        return self.bids if is_buy else self.asks

    def knows(self, order_id: str) -> bool:
        """Whether ``order_id`` is open or closed today on this book."""
        return order_id in self.index

    def open_order(self, order_id: str) -> RestingOrder | None:
        """The open order ``order_id``, if it is open."""
        entry = self.index.get(order_id)
        return entry if isinstance(entry, RestingOrder) else None

    def open_count(self) -> int:
        """How many orders are open."""
        return sum(isinstance(entry, RestingOrder) for entry in self.index.values())

    def take_off(self, order: RestingOrder, filled: bool) -> None:
        """Remove a live order from the book and remember how it closed."""
        self.side(order.is_buy).remove(order)
        self.index[order.order_id] = filled

    def fill(self, order_id: str, quantity: int) -> None:
        """Replay part of a trade: the order (if on this book) loses ``quantity``."""
        order = self.open_order(order_id)
        if order is None:
            self.index[order_id] = True  # a listed taker: it traded and never rested
        elif quantity == order.remaining:
            self.take_off(order, filled=True)
        else:
            self.side(order.is_buy).reduce(order, order.remaining - quantity)

    def rest(self, order: RestingOrder) -> None:
        """Put a new order on the book."""
        self.index[order.order_id] = order
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
            self.take_off(self._open(event.order_id), filled=False)
        elif isinstance(event, OrderReduced):
            order = self._open(event.order_id)
            self.side(order.is_buy).reduce(order, event.quantity)
        elif isinstance(event, OrderReplaced):
            self._evolve_replaced(event)

    def _open(self, order_id: str) -> RestingOrder:
        order = self.open_order(order_id)
        if order is None:
            raise InconsistentStateError(f"order {order_id} is not open")
        return order

    def _evolve_replaced(self, event: OrderReplaced) -> None:
        order = self._open(event.order_id)
        self.side(order.is_buy).remove(order)
        self.sequence += 1
        self.rest(
            RestingOrder(
                event.order_id, event.account, order.is_buy, event.price, event.quantity,
                self.sequence, order.post_only,
            )
        )  # fmt: skip

    def expire_all(self, at: int) -> list[OrderExpired]:
        """The day's close: every open order expires (R-T10), oldest first. Read-only: the
        events are applied by :meth:`evolve`."""
        return [
            OrderExpired(self.instrument, o.order_id, o.account, self.mode, o.remaining, at)
            for o in sorted(self.open_orders(), key=lambda o: o.sequence)
        ]

    def forget_day(self) -> None:
        """After the close: the day's closed order ids may be used again."""
        self.index = {k: v for k, v in self.index.items() if isinstance(v, RestingOrder)}

    def open_orders(self) -> Iterator[RestingOrder]:
        """Every open order, bids then asks, each in priority."""
        yield from self.bids.in_priority()
        yield from self.asks.in_priority()

    def snapshot(self) -> dict[str, Any]:
        """The book as plain values, for comparing a live book with a rebuilt one."""
        return {
            "bids": self.bids.snapshot(),
            "asks": self.asks.snapshot(),
            "closed": sorted((k, v) for k, v in self.index.items() if isinstance(v, bool)),
            "sequence": self.sequence,
            "trades": self.trades.value,
        }

    def validate_internal_state(self) -> None:
        """Check the index and both sides against each other."""
        live = self.bids.validate(self.index) + self.asks.validate(self.index)
        indexed = self.open_count()
        check(live == indexed, f"{indexed} open in the index, {live} on the book")
        for order_id, entry in self.index.items():
            if isinstance(entry, RestingOrder):
                check(entry.order_id == order_id, f"{order_id} indexes {entry.order_id}")
