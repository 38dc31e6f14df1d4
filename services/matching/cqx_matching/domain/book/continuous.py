"""The continuous book: price-time priority matching, the engine's hot path.

``ContinuousBook.apply(command)`` matches in place and returns the events; ``evolve(event)``
rebuilds the same book from those events without matching (replay). Order ids are unique
within a trading day; ``forget_day()`` clears the record of closed orders at the day's end.
Checks that need more than the book (bands, sessions, funds) are the exchange's; the book
checks only what it alone can see, so it is safe to drive directly (the benchmark does).

Deliberate exceptions to the house style, for speed (a Python call costs about as much as a
dict lookup): ``apply`` carries out the two commonest commands inline, a new limit day order
that rests without crossing and the cancel of an open order, and the walk of a crossing order
(:mod:`cqx_matching.domain.book.crossing`) is one long loop; both repeat a little code of
:mod:`price_levels` and :mod:`order_index` instead of calling it. Every other path goes through
those small helpers. On the inline paths the resting order and the events (``OrderAccepted``,
``OrderCancelled``, and the crossing's ``TradeExecuted``) are made with ``object.__new__`` and
one store per field instead of a call of the class: the same objects, without the cost of a
Python ``__init__`` (theirs only store the fields). A check at the end of each module fails at
import if one of those classes gains or loses a field.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import fields

from cqx_matching.domain.book.crossing import cross, settle_incoming
from cqx_matching.domain.book.order_index import OrderIndex, TradeCounter, closed_reason
from cqx_matching.domain.book.price_levels import DepthRow, PriceLevel, RestingOrder
from cqx_matching.domain.commands import CancelOrder, PlaceOrder, ReduceOrder, ReplaceOrder
from cqx_matching.domain.errors import UnknownCommandError, check
from cqx_matching.domain.events import (
    Event,
    OrderAccepted,
    OrderCancelled,
    OrderReduced,
    OrderRejected,
    OrderReplaced,
)
from cqx_matching.domain.vocabulary import (
    CancelReason,
    OrderType,
    Reason,
    SelfTradePrevention,
    Side,
    TimeInForce,
    TradingMode,
)

BUY = Side.BUY
DAY, FOK = TimeInForce.DAY, TimeInForce.FOK
LIMIT = OrderType.LIMIT
CONTINUOUS = TradingMode.CONTINUOUS
NEWEST, OLDEST = SelfTradePrevention.CANCEL_NEWEST, SelfTradePrevention.CANCEL_OLDEST
REQUESTED = CancelReason.REQUESTED
_new = object.__new__


class ContinuousBook(OrderIndex):
    """One instrument's continuous double-auction book."""

    __slots__ = ("accounts", "fee_bps", "self_trade_prevention")

    def __init__(
        self,
        instrument: str,
        fee_bps: int = 0,
        self_trade_prevention: SelfTradePrevention = NEWEST,
        trades: TradeCounter | None = None,
    ) -> None:
        super().__init__(instrument, CONTINUOUS, trades)
        self.fee_bps = fee_bps
        self.self_trade_prevention = self_trade_prevention
        # One string object per account for the orders on the book: comparing accounts while
        # matching is then mostly an identity check, with no read of a string left in memory
        # by an old command (at a million orders a day such a read misses the cache).
        self.accounts: dict[str, str] = {}

    def apply(self, c: PlaceOrder | CancelOrder | ReduceOrder | ReplaceOrder) -> list[Event]:
        """Carry out one order command; the events say what happened (rejections included).

        The two commonest commands are carried out here, inline: a new limit day order that
        does not cross (it goes straight onto the book) and the cancel of an open order.
        Everything else, rejections included, goes to the general paths.
        """
        if type(c) is PlaceOrder:
            oid, quantity, price, post_only = c.order_id, c.quantity, c.price, c.post_only
            seen = self.seen
            if (
                oid in seen
                or quantity <= 0
                or price is None
                or price <= 0
                or post_only
                or c.time_in_force is not DAY
                or c.order_type is not LIMIT
                or c.self_trade_prevention is not None
            ):
                return self._place(c)  # a rejection, or an order that does not simply rest
            side = c.side
            is_buy = side is BUY
            if is_buy:
                keys = self.asks.keys  # -price, best (lowest ask) last
                if keys and keys[-1] >= -price:
                    return self._place(c)  # it crosses: matching
                own, key = self.bids, price
            else:
                keys = self.bids.keys
                if keys and keys[-1] >= price:
                    return self._place(c)
                own, key = self.asks, -price
            account = c.account
            account = self.accounts.setdefault(account, account)
            sequence = self.sequence = self.sequence + 1
            order = _new(RestingOrder)  # RestingOrder(...), inline (see the module docstring)
            order.order_id = oid
            order.account = account
            order.is_buy = is_buy
            order.price = price
            order.remaining = quantity
            order.sequence = sequence
            order.post_only = post_only
            order.newer = None
            seen.add(oid)
            self.open[oid] = order
            levels = own.levels
            level = levels.get(price)
            if level is None:
                level = levels[price] = PriceLevel(price)
                insort(own.keys, key)
                level.head = order
                order.older = None
            else:  # PriceLevel.append, inline
                tail = level.tail
                assert tail is not None  # a kept level is never empty
                order.older = tail
                tail.newer = order
            level.tail = order
            level.quantity += quantity
            level.count += 1
            accepted = _new(OrderAccepted)
            accepted.instrument = self.instrument
            accepted.order_id = oid
            accepted.account = account
            accepted.side = side
            accepted.price = price
            accepted.quantity = quantity
            accepted.mode = CONTINUOUS
            accepted.order_type = LIMIT
            accepted.time_in_force = DAY
            accepted.post_only = post_only
            accepted.at = c.at
            accepted.self_trade_prevention = None
            return [accepted]
        if type(c) is CancelOrder:
            oid, account = c.order_id, c.account
            open_orders = self.open
            target = open_orders.get(oid)
            if target is None or target.account != account:
                return self._refuse(c)
            quantity, price = target.remaining, target.price
            book_side = self.bids if target.is_buy else self.asks
            level = book_side.levels[price]
            if level.count == 1:  # the last order at its price: the level goes
                book_side.drop(price)
            else:  # PriceLevel.unlink, inline
                older, newer = target.older, target.newer
                if older is None:
                    level.head = newer
                else:
                    older.newer = newer
                if newer is None:
                    level.tail = older
                else:
                    newer.older = older
                target.older = target.newer = None
                level.quantity -= quantity
                level.count -= 1
            del open_orders[oid]
            self.unfilled.add(oid)
            cancelled = _new(OrderCancelled)
            cancelled.instrument = self.instrument
            cancelled.order_id = oid
            cancelled.account = account
            cancelled.mode = CONTINUOUS
            cancelled.quantity = quantity
            cancelled.reason = REQUESTED
            cancelled.at = c.at
            return [cancelled]
        if type(c) is ReduceOrder:
            return self.reduce(c)
        if type(c) is ReplaceOrder:
            return self.replace(c)
        raise UnknownCommandError(f"not a continuous-book command: {type(c).__name__}")

    def place(self, c: PlaceOrder) -> list[Event]:
        """Accept, match and rest (or cancel the rest of) a new order."""
        return self.apply(c)

    def cancel(self, c: CancelOrder) -> list[Event]:
        """Take an open order off the book. A filled order cannot be cancelled (R-T10)."""
        return self.apply(c)

    def _refuse(self, c: CancelOrder) -> list[Event]:
        if c.order_id in self.open:
            return self._reject_missing(c, Reason.NOT_ORDER_OWNER)
        return self._reject_missing(c)

    def _reject(self, c: PlaceOrder | ReplaceOrder, reason: str) -> list[Event]:
        name = type(c).__name__
        return [OrderRejected(self.instrument, c.order_id, c.account, name, reason, c.at)]

    def _place(self, c: PlaceOrder) -> list[Event]:
        """A new order in general: every check, then matching, resting or cancelling."""
        oid, quantity, price = c.order_id, c.quantity, c.price
        if oid in self.seen:
            return self._reject(c, Reason.DUPLICATE_ID)
        if quantity <= 0:
            return self._reject(c, Reason.QUANTITY_NOT_POSITIVE)
        is_buy = c.side is BUY
        opposite = self.asks if is_buy else self.bids
        if c.order_type is LIMIT:
            if price is None:
                return self._reject(c, Reason.PRICE_REQUIRED)
            if price <= 0:
                return self._reject(c, Reason.PRICE_NOT_POSITIVE)
        elif price is not None:
            return self._reject(c, Reason.PRICE_NOT_ALLOWED)
        else:
            price = opposite.best()
            if price is None:
                return self._reject(c, Reason.NO_OPPOSITE_ORDERS)
        keys = opposite.keys
        crosses = bool(keys) and keys[-1] >= opposite.sign * price
        tif = c.time_in_force
        if c.post_only and (tif is not DAY or c.order_type is not LIMIT):
            return self._reject(c, Reason.INVALID_ORDER_TYPE)  # whatever the book (README)
        if c.post_only and crosses:
            return self._reject(c, Reason.POST_ONLY_WOULD_CROSS)
        chosen = c.self_trade_prevention
        stp = chosen or self.self_trade_prevention
        account = self.accounts.setdefault(c.account, c.account)
        if tif is FOK and not opposite.can_fill(account, price, quantity, stp is OLDEST):
            return self._reject(c, Reason.FOK_NOT_FILLABLE)
        self.sequence += 1
        order = RestingOrder(oid, account, is_buy, price, quantity, self.sequence, c.post_only)
        events: list[Event] = [
            OrderAccepted(
                self.instrument, oid, account, c.side, price, quantity, CONTINUOUS,
                c.order_type, tif, c.post_only, c.at, chosen,
            )
        ]  # fmt: skip
        if chosen is not None:
            self.chosen_stp[oid] = chosen
        if not (crosses and cross(self, order, opposite, stp, self.fee_bps, events, c.at)):
            settle_incoming(self, order, tif is DAY, events, c.at)
        return events

    def reduce(self, c: ReduceOrder) -> list[Event]:
        """Lower an open order's remaining quantity; it keeps its place in the queue."""
        order = self.open_order(c.order_id)
        if order is None:
            return self._reject_missing(c)
        if order.account != c.account:
            return self._reject_missing(c, Reason.NOT_ORDER_OWNER)
        if c.quantity <= 0:
            return self._reject_missing(c, Reason.QUANTITY_NOT_POSITIVE)
        if c.quantity >= order.remaining:
            return self._reject_missing(c, Reason.QUANTITY_NOT_REDUCED)
        (self.bids if order.is_buy else self.asks).reduce(order, c.quantity)
        return [OrderReduced(self.instrument, c.order_id, c.account, CONTINUOUS, c.quantity, c.at)]

    def replace(self, c: ReplaceOrder) -> list[Event]:
        """Move an open order to a new price and quantity, at the back; it may trade at once."""
        order = self.open_order(c.order_id)
        if order is None:
            return self._reject_missing(c)
        if order.account != c.account:
            return self._reject(c, Reason.NOT_ORDER_OWNER)
        if c.quantity <= 0:
            return self._reject(c, Reason.QUANTITY_NOT_POSITIVE)
        if c.price <= 0:
            return self._reject(c, Reason.PRICE_NOT_POSITIVE)
        opposite = self.asks if order.is_buy else self.bids
        crosses = bool(opposite.keys) and opposite.keys[-1] >= opposite.sign * c.price
        if order.post_only and crosses:
            return self._reject(c, Reason.POST_ONLY_WOULD_CROSS)
        (self.bids if order.is_buy else self.asks).remove(order)
        del self.open[c.order_id]  # open again below, unless it trades in full or STP cancels it
        self.sequence += 1
        moved = RestingOrder(
            c.order_id, c.account, order.is_buy, c.price, c.quantity, self.sequence,
            order.post_only,
        )  # fmt: skip
        events: list[Event] = [
            OrderReplaced(
                self.instrument, c.order_id, c.account, CONTINUOUS, c.price, c.quantity, c.at
            )
        ]
        stp = self.chosen_stp.get(c.order_id) or self.self_trade_prevention  # as when placed
        if crosses and cross(self, moved, opposite, stp, self.fee_bps, events, c.at):
            return events
        settle_incoming(self, moved, True, events, c.at)
        return events

    def _reject_missing(
        self, c: CancelOrder | ReduceOrder | ReplaceOrder, reason: str | None = None
    ) -> list[Event]:
        reason = reason or closed_reason(self.entry(c.order_id))
        name = type(c).__name__
        return [OrderRejected(self.instrument, c.order_id, c.account, name, reason, c.at)]

    def depth(self, levels: int) -> tuple[list[DepthRow], list[DepthRow]]:
        """L2 depth: the best ``levels`` bid and ask levels, best first."""
        return self.bids.depth(levels), self.asks.depth(levels)

    def validate_internal_state(self) -> None:
        """Check every invariant, including that the book is not crossed after matching."""
        super().validate_internal_state()
        bid, ask = self.bids.best(), self.asks.best()
        check(bid is None or ask is None or bid < ask, f"book crossed: {bid} >= {ask}")


def _check_inline_constructors() -> None:
    """The classes built field by field on the inline paths have exactly the fields set there."""
    built = {
        OrderAccepted: "instrument order_id account side price quantity mode order_type "
        "time_in_force post_only at self_trade_prevention",
        OrderCancelled: "instrument order_id account mode quantity reason at",
    }
    for cls, names in built.items():
        found = tuple(f.name for f in fields(cls))
        check(found == tuple(names.split()), f"{cls.__name__} has changed: update {__name__}")
    slots = "account is_buy newer older order_id post_only price remaining sequence"
    check(sorted(RestingOrder.__slots__) == slots.split(), f"RestingOrder: update {__name__}")


_check_inline_constructors()
