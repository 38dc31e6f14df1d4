"""What clients read about orders and trades, folded from the exchange's events.

The engine keeps only what matching needs (open orders, and the day's closed ids); clients
also want an order's fills and fate after the day, the trades of an instrument, and which
instruments an account holds. This fold runs on every event, live and in replay alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from cqx_matching.domain import (
    AllowancesAssigned,
    DayClosed,
    Event,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderReduced,
    OrderReplaced,
    OrderType,
    Side,
    TimeInForce,
    TradeExecuted,
    TradingDayOpened,
    TradingMode,
)

BOOK_MODES = frozenset({TradingMode.CONTINUOUS, TradingMode.LISTED})


class OrderStatus(StrEnum):
    """Where an order stands."""

    OPEN = "OPEN"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


OPEN_STATUSES = frozenset({OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED})


class OrderView:
    """One order of the continuous or the listed book, as a client sees it."""

    __slots__ = (
        "accepted_at", "account", "cancelled", "close_reason", "filled", "instrument", "mode",
        "order_id", "order_type", "post_only", "price", "remaining", "side", "status",
        "time_in_force", "traded_value", "trading_date",
    )  # fmt: skip

    def __init__(self, accepted: OrderAccepted, trading_date: date | None) -> None:
        self.order_id = accepted.order_id
        self.account = accepted.account
        self.instrument = accepted.instrument
        self.side = accepted.side
        self.mode = accepted.mode
        self.order_type = accepted.order_type
        self.time_in_force = accepted.time_in_force
        self.post_only = accepted.post_only
        self.price = accepted.price
        self.remaining = accepted.quantity
        self.filled = 0
        self.cancelled = 0  # unfilled when cancelled (by request, STP, or an IOC's rest)
        self.traded_value = 0
        self.status = OrderStatus.OPEN
        self.close_reason = ""
        self.trading_date = trading_date
        self.accepted_at = accepted.at

    @property
    def quantity(self) -> int:
        """What the order stands for now: filled plus remaining."""
        return self.filled + self.remaining

    @property
    def is_open(self) -> bool:
        """Whether it may still trade."""
        return self.status in OPEN_STATUSES

    def fill(self, price: int, quantity: int) -> None:
        """Part or all of it traded."""
        self.filled += quantity
        self.traded_value += price * quantity
        self.remaining = max(self.remaining - quantity, 0)
        self.status = OrderStatus.PARTIALLY_FILLED if self.remaining else OrderStatus.FILLED

    def close(self, status: OrderStatus, reason: str) -> None:
        """It left the book unfilled."""
        self.remaining = 0
        self.status = status
        self.close_reason = reason


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """A trade and the trading day it belongs to."""

    trade: TradeExecuted
    trading_date: date | None


def taker_view(trade: TradeExecuted, order_id: str, day: date | None) -> OrderView:
    """A listed taker's order, which never rested: what its trade says of it."""
    buys = order_id == trade.buy_order_id
    account = trade.buyer if buys else trade.seller
    accepted = OrderAccepted(
        trade.instrument, order_id, account, Side.BUY if buys else Side.SELL, trade.price, 0,
        TradingMode.LISTED, OrderType.LIMIT, TimeInForce.IOC, False, trade.at,
    )  # fmt: skip
    return OrderView(accepted, day)


class OrderHistory:
    """Every order and trade the exchange has seen, by id, by account and by instrument."""

    def __init__(self) -> None:
        self.day: date | None = None  # the exchange's trading day, or the last one
        self.orders: dict[str, OrderView] = {}
        self.by_account: dict[str, list[OrderView]] = {}
        self.trades: dict[str, list[TradeRecord]] = {}
        self.instruments_of: dict[str, dict[str, None]] = {}  # account → instruments held
        self.closed_days: dict[str, DayClosed] = {}  # instrument → its last closed day
        self._steps: dict[type[Any], Callable[[Any], None]] = {
            OrderAccepted: self._accepted,
            TradeExecuted: self._traded,
            OrderCancelled: self._cancelled,
            OrderExpired: self._expired,
            OrderReduced: self._reduced,
            OrderReplaced: self._replaced,
            AllowancesAssigned: self._assigned,
            TradingDayOpened: self._day_opened,
            DayClosed: self._day_closed,
        }

    def apply(self, event: Event) -> None:
        """Fold one event."""
        step = self._steps.get(type(event))
        if step is not None:
            step(event)

    def _add(self, view: OrderView) -> None:
        self.orders[view.order_id] = view
        self.by_account.setdefault(view.account, []).append(view)

    def _accepted(self, e: OrderAccepted) -> None:
        self._add(OrderView(e, self.day))

    def _traded(self, e: TradeExecuted) -> None:
        self.trades.setdefault(e.instrument, []).append(TradeRecord(e, self.day))
        self.instruments_of.setdefault(e.buyer, {})[e.instrument] = None
        if e.mode not in BOOK_MODES:
            return
        for order_id in (e.buy_order_id, e.sell_order_id):
            view = self.orders.get(order_id)
            if view is None:
                view = taker_view(e, order_id, self.day)
                self._add(view)
            view.fill(e.price, e.quantity)

    def _cancelled(self, e: OrderCancelled) -> None:
        view = self.orders[e.order_id]
        view.cancelled = e.quantity
        view.close(OrderStatus.CANCELLED, e.reason.value)

    def _expired(self, e: OrderExpired) -> None:
        self.orders[e.order_id].close(OrderStatus.EXPIRED, "EXPIRED")

    def _reduced(self, e: OrderReduced) -> None:
        self.orders[e.order_id].remaining = e.quantity

    def _replaced(self, e: OrderReplaced) -> None:
        view = self.orders[e.order_id]
        view.price, view.remaining = e.price, e.quantity

    def _day_closed(self, e: DayClosed) -> None:
        self.closed_days[e.instrument] = e

    def _assigned(self, e: AllowancesAssigned) -> None:
        self.instruments_of.setdefault(e.account, {})[e.instrument] = None

    def _day_opened(self, e: TradingDayOpened) -> None:
        self.day = e.day
