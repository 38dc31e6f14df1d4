"""The continuous book: price-time priority matching, the engine's hot path.

``ContinuousBook.apply(command)`` matches in place and returns the events; ``evolve(event)``
rebuilds the same book from those events without matching (replay). Order ids are unique
within a trading day; ``forget_day()`` clears the record of closed orders at the day's end.
Checks that need more than the book (bands, sessions, funds) are the exchange's; the book
checks only what it alone can see, so it is safe to drive directly (the benchmark does).

Deliberate exceptions to the house style, for speed (a Python call costs about as much as a
dict lookup): ``apply`` carries out the two commonest commands inline, a new limit day order
that rests without crossing and the cancel of an open order, and ``_match`` is one long loop;
both repeat a little code of :mod:`price_levels` and :mod:`order_index` instead of calling
it. Every other path goes through those small helpers. On the inline paths the resting order
and the events (``OrderAccepted``, ``OrderCancelled``, ``TradeExecuted``) are made with
``object.__new__`` and one store per field instead of a call of the class: the same objects,
without the cost of a Python ``__init__`` (theirs only store the fields). The check at the end
of this module fails at import if one of those classes gains or loses a field.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import fields

from cqx_matching.domain.commands import CancelOrder, PlaceOrder, ReduceOrder, ReplaceOrder
from cqx_matching.domain.errors import UnknownCommandError, check
from cqx_matching.domain.events import (
    Event,
    OrderAccepted,
    OrderCancelled,
    OrderReduced,
    OrderRejected,
    OrderReplaced,
    TradeExecuted,
)
from cqx_matching.domain.order_index import OrderIndex, TradeCounter, closed_reason
from cqx_matching.domain.price_levels import BookSide, DepthRow, PriceLevel, RestingOrder
from cqx_matching.domain.vocabulary import (
    CancelReason,
    OrderType,
    Reason,
    SelfTradePrevention,
    Side,
    TimeInForce,
    TradingMode,
)

BUY, SELL = Side.BUY, Side.SELL
DAY, FOK = TimeInForce.DAY, TimeInForce.FOK
LIMIT = OrderType.LIMIT
CONTINUOUS = TradingMode.CONTINUOUS
NEWEST, OLDEST = SelfTradePrevention.CANCEL_NEWEST, SelfTradePrevention.CANCEL_OLDEST
STP_CANCELLED = CancelReason.SELF_TRADE_PREVENTED
REQUESTED, UNFILLED = CancelReason.REQUESTED, CancelReason.UNFILLED_REMAINDER
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
        if c.post_only and (crosses or tif is not DAY or c.order_type is not LIMIT):
            reason = Reason.POST_ONLY_WOULD_CROSS if crosses else Reason.INVALID_ORDER_TYPE
            return self._reject(c, reason)
        stp = c.self_trade_prevention or self.self_trade_prevention
        account = self.accounts.setdefault(c.account, c.account)
        if tif is FOK and not opposite.can_fill(account, price, quantity, stp is OLDEST):
            return self._reject(c, Reason.FOK_NOT_FILLABLE)
        self.sequence += 1
        order = RestingOrder(oid, account, is_buy, price, quantity, self.sequence, c.post_only)
        events: list[Event] = [
            OrderAccepted(
                self.instrument, oid, account, c.side, price, quantity, CONTINUOUS,
                c.order_type, tif, c.post_only, c.at,
            )
        ]  # fmt: skip
        if not (crosses and self._match(order, opposite, stp, events, c.at)):
            self._settle_incoming(order, tif is DAY, events, c.at)
        return events

    def _settle_incoming(
        self, order: RestingOrder, rests: bool, events: list[Event], at: int
    ) -> None:
        """Rest what is left of an incoming order, or cancel it (IOC), or mark it filled."""
        oid = order.order_id
        if not order.remaining:
            self.close(oid, filled=True)
        elif rests:
            self.rest(order)
        else:
            events.append(
                OrderCancelled(
                    self.instrument, oid, order.account, CONTINUOUS, order.remaining,
                    UNFILLED, at,
                )
            )  # fmt: skip
            self.close(oid, filled=False)

    def _match(
        self,
        taker: RestingOrder,
        side: BookSide,
        stp: SelfTradePrevention,
        events: list[Event],
        at: int,
    ) -> bool:
        """Trade ``taker`` against ``side`` in price-time priority; True if STP cancelled it.

        A level's filled makers are a prefix of its queue: they are dropped as the walk goes
        (each one's forward link cut, so no cycle is left for the collector) and the level's
        head, quantity and count are written once, when the walk leaves the level.
        """
        levels, keys, sign = side.levels, side.keys, side.sign
        limit_key = sign * taker.price
        remaining, account = taker.remaining, taker.account
        open_orders, counter = self.open, self.trades
        append = events.append
        instrument, fee_bps, taker_id = self.instrument, self.fee_bps, taker.order_id
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
                    if self._prevent_self_trade(
                        maker, taker, remaining, level, side, stp, events, at
                    ):
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
        self,
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
        instrument, account = self.instrument, maker.account
        if stp is not NEWEST:
            level.unlink(maker)
            self.close(maker.order_id, filled=False)
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
        self.close(taker.order_id, filled=False)
        return True

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
        stp = self.self_trade_prevention
        if crosses and self._match(moved, opposite, stp, events, c.at):
            return events
        self._settle_incoming(moved, True, events, c.at)
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
        "time_in_force post_only at",
        OrderCancelled: "instrument order_id account mode quantity reason at",
        TradeExecuted: "instrument trade_id mode price quantity buy_order_id buyer "
        "sell_order_id seller aggressor buyer_fee seller_fee at",
    }
    for cls, names in built.items():
        found = tuple(f.name for f in fields(cls))
        check(found == tuple(names.split()), f"{cls.__name__} has changed: update {__name__}")
    slots = "account is_buy newer older order_id post_only price remaining sequence"
    check(sorted(RestingOrder.__slots__) == slots.split(), f"RestingOrder: update {__name__}")


_check_inline_constructors()
