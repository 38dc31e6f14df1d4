"""What every order book keeps: two sides and one index of the day's order ids.

The index is three collections: ``open`` maps the id of each open order to the order,
``seen`` holds every id of the day (open or closed) and ``unfilled`` the ids of the orders that
closed without filling (cancelled or expired); the other closed ones filled. So a command on a
closed order gets the right rejection (R-T10) and an id is never reused within a day.
``entry(order_id)`` gives the single-map view: the open order, True (closed filled), False
(closed unfilled) or None (unknown).

Why not one dict of id → order or flag: on the hot path that map holds the whole day's ids
(a million and more), and a CPython dict whose keys are all str keeps no hashes in its
entries, so each colliding probe of a lookup reads another key's string object: a cache miss
when the ids are spread over a big heap. Sets keep their hashes inline and probe neighbouring
slots first, so the duplicate-id check of a new order costs about half as much; the map of
open orders stays as small as the book, and is made with the dict layout that keeps hashes
(:func:`hashed_dict`).

The continuous book and the listed agreement book both build on :class:`OrderIndex`; its
``evolve`` is the replay of order events, which needs no matching because the trades are in
the events.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from cqx_matching.domain.book.price_levels import BookSide, RestingOrder
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
from cqx_matching.domain.vocabulary import Reason, SelfTradePrevention, Side, TradingMode


def hashed_dict() -> dict[str, RestingOrder]:
    """An empty dict that keeps each key's hash in its entries, for order ids.

    A CPython dict whose keys are all str uses a compact layout without the hashes. One key of
    another type, even deleted at once, switches the dict to the general layout for good
    (resizes and copies keep it), whose lookups compare the stored hashes without touching
    the other keys' string objects. Only speed depends on this detail of CPython.
    """
    table: dict[object, object] = {None: None}
    del table[None]
    return cast(dict[str, RestingOrder], table)


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

    __slots__ = (
        "asks",
        "bids",
        "chosen_stp",
        "instrument",
        "mode",
        "open",
        "seen",
        "sequence",
        "trades",
        "unfilled",
    )

    def __init__(self, instrument: str, mode: TradingMode, trades: TradeCounter | None) -> None:
        self.instrument = instrument
        self.mode = mode
        self.bids = BookSide(is_buy=True)
        self.asks = BookSide(is_buy=False)
        self.open = hashed_dict()  # the open orders, by id
        self.seen: set[str] = set()  # every order id of the day, open or closed
        self.unfilled: set[str] = set()  # the ids of the orders that closed unfilled
        self.sequence = 0  # arrival order: the time in price-time priority
        self.trades = trades if trades is not None else TradeCounter()
        # The self-trade prevention an order chose when placed, if it chose one: a replace
        # keeps it (the instrument's applies to the others).
        self.chosen_stp: dict[str, SelfTradePrevention] = {}

    def side(self, is_buy: bool) -> BookSide:
        """The bids (``is_buy``) or the asks."""
        return self.bids if is_buy else self.asks

    def knows(self, order_id: str) -> bool:
        """Whether ``order_id`` is open or closed today on this book."""
        return order_id in self.seen

    def open_order(self, order_id: str) -> RestingOrder | None:
        """The open order ``order_id``, if it is open."""
        return self.open.get(order_id)

    def entry(self, order_id: str) -> RestingOrder | bool | None:
        """The open order, True if it closed filled, False if it closed otherwise, or None."""
        order = self.open.get(order_id)
        if order is not None:
            return order
        if order_id in self.unfilled:
            return False
        return True if order_id in self.seen else None

    def open_count(self) -> int:
        """How many orders are open."""
        return len(self.open)

    def close(self, order_id: str, filled: bool) -> None:
        """Record that the (no longer open) order ``order_id`` closed, filled or not."""
        self.open.pop(order_id, None)
        self.seen.add(order_id)
        if not filled:
            self.unfilled.add(order_id)

    def take_off(self, order: RestingOrder, filled: bool) -> None:
        """Remove a live order from the book and remember how it closed."""
        self.side(order.is_buy).remove(order)
        self.close(order.order_id, filled)

    def fill(self, order_id: str, quantity: int) -> None:
        """Replay part of a trade: the order (if on this book) loses ``quantity``."""
        order = self.open_order(order_id)
        if order is None:
            self.close(order_id, filled=True)  # a listed taker: it traded and never rested
        elif quantity == order.remaining:
            self.take_off(order, filled=True)
        else:
            self.side(order.is_buy).reduce(order, order.remaining - quantity)

    def rest(self, order: RestingOrder) -> None:
        """Put a new order on the book."""
        self.open[order.order_id] = order
        self.seen.add(order.order_id)
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
            if event.self_trade_prevention is not None:
                self.chosen_stp[event.order_id] = event.self_trade_prevention
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
        self.seen = set(self.open)
        self.unfilled = set()
        self.chosen_stp = {k: v for k, v in self.chosen_stp.items() if k in self.open}

    def open_orders(self) -> Iterator[RestingOrder]:
        """Every open order, bids then asks, each in priority."""
        yield from self.bids.in_priority()
        yield from self.asks.in_priority()

    def snapshot(self) -> dict[str, Any]:
        """The book as plain values, for comparing a live book with a rebuilt one."""
        return {
            "bids": self.bids.snapshot(),
            "asks": self.asks.snapshot(),
            "closed": sorted((k, k not in self.unfilled) for k in self.seen if k not in self.open),
            "sequence": self.sequence,
            "trades": self.trades.value,
            "chosen_stp": sorted(self.chosen_stp.items()),
        }

    def validate_internal_state(self) -> None:
        """Check the index and both sides against each other."""
        live = self.bids.validate(self.open) + self.asks.validate(self.open)
        indexed = self.open_count()
        check(live == indexed, f"{indexed} open in the index, {live} on the book")
        for order_id, order in self.open.items():
            check(order.order_id == order_id, f"{order_id} indexes {order.order_id}")
            check(order_id in self.seen, f"open {order_id} not seen")
            check(order_id not in self.unfilled, f"open {order_id} marked closed")
        check(self.unfilled <= self.seen, "a closed order id not seen")
