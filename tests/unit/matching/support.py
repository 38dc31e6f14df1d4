"""Given/when/then harnesses for the matching domain.

Every step validates the internal state and checks that replaying the events emitted so far
rebuilds exactly the live state, so each scenario test also tests replay.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, time
from typing import Any

from cqx_matching.domain import (
    AssignAllowances,
    CancelOrder,
    Command,
    CommandRejected,
    ContinuousBook,
    DepositFunds,
    Event,
    Exchange,
    InstrumentConfig,
    OpenTradingDay,
    OrderRejected,
    PlaceOrder,
    ReduceOrder,
    ReplaceOrder,
    Side,
    TradeExecuted,
    TradingCalendar,
)

INSTRUMENT = "CEA-2024"
DAY = date(2025, 7, 16)  # a Wednesday
CALENDAR = TradingCalendar()
RICH = 10_000_000_000  # fen: enough for any order in these tests
STOCK = 1_000_000  # tonnes


def at(hour: int, minute: int, second: int = 0, day: date = DAY) -> int:
    """The timestamp of local Shanghai time ``hour:minute:second`` on ``day``."""
    return CALENDAR.at(day, time(hour, minute, second))


MORNING = at(10, 0)
AFTERNOON = at(13, 30)


def config(**overrides: Any) -> InstrumentConfig:
    """CEA-2024 with a previous close of 60.00 CNY, unless told otherwise."""
    return replace(InstrumentConfig(INSTRUMENT, previous_close=6_000), **overrides)


def trades(events: Iterable[Event]) -> list[TradeExecuted]:
    """The trades among ``events``."""
    return [e for e in events if isinstance(e, TradeExecuted)]


def reasons(events: Iterable[Event]) -> list[str]:
    """The rejection reasons among ``events``."""
    return [e.reason for e in events if isinstance(e, OrderRejected | CommandRejected)]


class Market:
    """An exchange with one open trading day, driven command by command."""

    def __init__(
        self,
        *configs: InstrumentConfig,
        calendar: TradingCalendar = CALENDAR,
        day: date | None = DAY,
    ) -> None:
        self.configs = configs or (config(),)
        self.calendar = calendar
        self.exchange = Exchange(self.configs, calendar)
        self.log: list[Event] = []
        if day is not None:
            self.given(OpenTradingDay(day, at(9, 0, day=day)))

    def when(self, command: Command) -> list[Event]:
        """Apply ``command``; check the invariants and that replay rebuilds the state."""
        events = self.exchange.apply(command)
        self.log.extend(events)
        self.exchange.validate_internal_state()
        rebuilt = Exchange.replay(self.configs, self.log, self.calendar)
        assert rebuilt.snapshot() == self.exchange.snapshot()
        return events

    def given(self, *commands: Command) -> list[Event]:
        """Apply ``commands``, each of which must be accepted."""
        out: list[Event] = []
        for command in commands:
            events = self.when(command)
            assert not reasons(events), (command, events)
            out.extend(events)
        return out

    def fund(self, *accounts: str, cash: int = RICH, allowances: int = STOCK) -> None:
        """Give each account cash and sellable allowances of every instrument."""
        for account in accounts:
            if cash:
                self.given(DepositFunds(account, cash, at(9, 1)))
            for c in self.configs:
                if allowances:
                    self.given(AssignAllowances(account, c.instrument, allowances, at(9, 1)))

    @property
    def book(self) -> ContinuousBook:
        """The first instrument's continuous book."""
        return self.exchange.markets[self.configs[0].instrument].continuous


class Book:
    """A bare continuous book: every step validated and replayed."""

    def __init__(self, **settings: Any) -> None:
        self.settings = settings
        self.book = ContinuousBook(INSTRUMENT, **settings)
        self.log: list[Event] = []
        self.clock = MORNING

    def when(self, command: PlaceOrder | CancelOrder | ReduceOrder | ReplaceOrder) -> list[Event]:
        """Apply one command to the book; validate; compare with a replayed book."""
        events = self.book.apply(command)
        self.log.extend(events)
        self.book.validate_internal_state()
        rebuilt = ContinuousBook(INSTRUMENT, **self.settings)
        for event in self.log:
            rebuilt.evolve(event)
        assert rebuilt.snapshot() == self.book.snapshot()
        return events

    def place(
        self, order_id: str, account: str, side: Side, quantity: int, price: int | None, **kw: Any
    ) -> list[Event]:
        """Place an order now."""
        self.clock += 1
        command = PlaceOrder(INSTRUMENT, order_id, account, side, quantity, price, self.clock, **kw)
        return self.when(command)

    def buy(
        self, order_id: str, account: str, quantity: int, price: int | None, **kw: Any
    ) -> list[Event]:
        """Place a buy order now."""
        return self.place(order_id, account, Side.BUY, quantity, price, **kw)

    def sell(
        self, order_id: str, account: str, quantity: int, price: int | None, **kw: Any
    ) -> list[Event]:
        """Place a sell order now."""
        return self.place(order_id, account, Side.SELL, quantity, price, **kw)

    def cancel(self, order_id: str, account: str) -> list[Event]:
        """Cancel an order now."""
        self.clock += 1
        return self.when(CancelOrder(INSTRUMENT, order_id, account, self.clock))

    def queue(self, side: Side, price: int) -> list[tuple[str, int]]:
        """The (order id, remaining) queue at ``price`` on ``side``, oldest first."""
        book_side = self.book.bids if side is Side.BUY else self.book.asks
        level = book_side.levels.get(price)
        return [(o.order_id, o.remaining) for o in level.live()] if level else []
