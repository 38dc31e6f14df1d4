"""The continuous book: price-time priority matching, the engine's hot path.

``ContinuousBook.apply(command)`` matches in place and returns the events; ``evolve(event)``
rebuilds the same book from those events without matching (replay). Order ids are unique
within a trading day; ``forget_day()`` clears the record of closed orders at the day's end.
Checks that need more than the book (bands, sessions, funds) are the exchange's; the book
checks only what it alone can see, so it is safe to drive directly (the benchmark does).

Deliberate exceptions to the house style, for speed: ``place`` and ``_match`` are longer than
thirty lines and repeat a little code instead of calling helpers (a Python call costs about
as much as a dict lookup), and the common resting case is inlined. Every other path goes
through the small helpers of :mod:`price_levels` and :mod:`order_index`.
"""

from __future__ import annotations

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
from cqx_matching.domain.price_levels import BookSide, DepthRow, RestingOrder
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


class ContinuousBook(OrderIndex):
    """One instrument's continuous double-auction book."""

    __slots__ = ("fee_bps", "self_trade_prevention")

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

    def apply(self, command: PlaceOrder | CancelOrder | ReduceOrder | ReplaceOrder) -> list[Event]:
        """Carry out one order command; the events say what happened (rejections included)."""
        kind = type(command)
        if kind is PlaceOrder:
            return self.place(command)  # type: ignore[arg-type]
        if kind is CancelOrder:
            return self.cancel(command)  # type: ignore[arg-type]
        if kind is ReduceOrder:
            return self.reduce(command)  # type: ignore[arg-type]
        if kind is ReplaceOrder:
            return self.replace(command)  # type: ignore[arg-type]
        raise UnknownCommandError(f"not a continuous-book command: {kind.__name__}")

    def _reject(self, c: PlaceOrder | ReplaceOrder, reason: str) -> list[Event]:
        name = type(c).__name__
        return [OrderRejected(self.instrument, c.order_id, c.account, name, reason, c.at)]

    def place(self, c: PlaceOrder) -> list[Event]:
        """Accept, match and rest (or cancel the rest of) a new order."""
        oid, quantity, price = c.order_id, c.quantity, c.price
        if oid in self.index:
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
        account = c.account
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
        if not crosses and tif is DAY:  # the common case: straight onto the book
            self.index[oid] = order
            (self.bids if is_buy else self.asks).add(order)
        elif not (crosses and self._match(order, opposite, stp, events, c.at)):
            self._settle_incoming(order, tif is DAY, events, c.at)
        return events

    def _settle_incoming(
        self, order: RestingOrder, rests: bool, events: list[Event], at: int
    ) -> None:
        """Rest what is left of an incoming order, or cancel it (IOC), or mark it filled."""
        oid = order.order_id
        if not order.remaining:
            self.index[oid] = True
        elif rests:
            self.index[oid] = order
            (self.bids if order.is_buy else self.asks).add(order)
        else:
            events.append(
                OrderCancelled(
                    self.instrument, oid, order.account, CONTINUOUS, order.remaining,
                    CancelReason.UNFILLED_REMAINDER, at,
                )
            )  # fmt: skip
            self.index[oid] = False

    def _match(
        self,
        taker: RestingOrder,
        side: BookSide,
        stp: SelfTradePrevention,
        events: list[Event],
        at: int,
    ) -> bool:
        """Trade ``taker`` against ``side`` in price-time priority; True if STP cancelled it."""
        levels, keys, sign = side.levels, side.keys, side.sign
        limit_key = sign * taker.price
        remaining, account = taker.remaining, taker.account
        index, counter = self.index, self.trades
        instrument, fee_bps, taker_id = self.instrument, self.fee_bps, taker.order_id
        taker_buys = taker.is_buy
        aggressor = BUY if taker_buys else SELL
        while remaining and keys and keys[-1] >= limit_key:
            price = keys[-1] * sign
            level = levels[price]
            while remaining and level.count:
                maker = level.head  # the oldest order at this price
                assert maker is not None  # count > 0
                available = maker.remaining
                if maker.account == account:
                    if stp is not NEWEST:
                        level.unlink(maker)
                        index[maker.order_id] = False
                        events.append(
                            OrderCancelled(
                                instrument, maker.order_id, account, CONTINUOUS, available,
                                STP_CANCELLED, at,
                            )
                        )  # fmt: skip
                    if stp is not OLDEST:
                        if not level.count:
                            side.drop(price)
                        events.append(
                            OrderCancelled(
                                instrument, taker_id, account, CONTINUOUS, remaining,
                                STP_CANCELLED, at,
                            )
                        )  # fmt: skip
                        taker.remaining = 0
                        index[taker_id] = False
                        return True
                    continue
                fill = available if available < remaining else remaining
                fee = price * fill * fee_bps // 10_000
                trade_id = counter.value = counter.value + 1
                if taker_buys:
                    trade = TradeExecuted(
                        instrument, trade_id, CONTINUOUS, price, fill, taker_id, account,
                        maker.order_id, maker.account, aggressor, fee, fee, at,
                    )  # fmt: skip
                else:
                    trade = TradeExecuted(
                        instrument, trade_id, CONTINUOUS, price, fill, maker.order_id,
                        maker.account, taker_id, account, aggressor, fee, fee, at,
                    )  # fmt: skip
                events.append(trade)
                remaining -= fill
                level.quantity -= fill
                if fill == available:  # unlink the head, inline: it is the common case
                    newer = level.head = maker.newer
                    if newer is None:
                        level.tail = None
                    else:
                        newer.older = maker.newer = None
                    level.count -= 1
                    index[maker.order_id] = True
                else:
                    maker.remaining = available - fill
            if not level.count:
                side.drop(price)
        taker.remaining = remaining
        return False

    def cancel(self, c: CancelOrder) -> list[Event]:
        """Take an open order off the book. A filled order cannot be cancelled (R-T10)."""
        order = self.index.get(c.order_id)
        if not isinstance(order, RestingOrder):
            return self._reject_missing(c)
        if order.account != c.account:
            return self._reject_missing(c, Reason.NOT_ORDER_OWNER)
        quantity = order.remaining
        (self.bids if order.is_buy else self.asks).remove(order)
        self.index[c.order_id] = False
        return [
            OrderCancelled(
                self.instrument, c.order_id, c.account, CONTINUOUS, quantity,
                CancelReason.REQUESTED, c.at,
            )
        ]  # fmt: skip

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
        reason = reason or closed_reason(self.index.get(c.order_id))
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
