"""The exchange: decide a command on the state, apply each event as it is recorded.

``Exchange.apply(command)`` decides and returns the events (a rejection is an event, never an
exception); each event is applied to the state as it is recorded. A defect met before the
state began to change is :class:`UndecidableCommandError` (the command fails, the exchange
goes on); one met after it leaves the state in doubt, and the application rebuilds.
``Exchange.replay`` folds the same events into a fresh exchange and must arrive at the same
state — the continuous book is the one part that applies its own commands in place (the hot
path), so its events are the one kind replay applies differently; tests compare the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cqx_kernel.calendar import TradingCalendar
from cqx_matching.domain.commands import Command
from cqx_matching.domain.decisions import decide
from cqx_matching.domain.errors import UndecidableCommandError, UnknownCommandError
from cqx_matching.domain.events import Event
from cqx_matching.domain.evolution import evolve
from cqx_matching.domain.instruments import InstrumentConfig
from cqx_matching.domain.state import ExchangeState, InstrumentMarket

__all__ = ["Exchange", "InstrumentMarket"]


class Exchange(ExchangeState):
    """The matching engine: :class:`ExchangeState` with its decisions and its evolution."""

    def __init__(
        self,
        instruments: Iterable[InstrumentConfig],
        calendar: TradingCalendar | None = None,
        listing: Callable[[str], InstrumentConfig] | None = None,
    ) -> None:
        super().__init__(instruments, calendar, listing)
        self._recorded: list[Event] = []

    @classmethod
    def replay(
        cls,
        instruments: Iterable[InstrumentConfig],
        events: Iterable[Event],
        calendar: TradingCalendar | None = None,
        listing: Callable[[str], InstrumentConfig] | None = None,
    ) -> Exchange:
        """A fresh exchange with ``events`` folded in: the state they describe (instruments
        listed by an ``InstrumentListed`` among them included)."""
        exchange = cls(instruments, calendar, listing)
        for event in events:
            exchange.evolve(event)
        return exchange

    def apply(self, command: Command) -> list[Event]:
        """Decide ``command`` and return its events, already applied to the state."""
        recorded: list[Event] = []
        self._recorded = recorded
        self.changing = False
        try:
            decide(self, command)
        except UnknownCommandError:
            raise
        except Exception as error:
            if self.changing:
                raise  # the state may be half changed: only a rebuild from the log can tell
            name = type(command).__name__
            raise UndecidableCommandError(f"{name} could not be decided: {error!r}") from error
        return recorded

    def record(self, events: Iterable[Event], applied: bool = False) -> None:
        """Emit ``events`` and apply each to the state. ``applied`` marks continuous-book
        events the book has applied itself while matching."""
        self.changing = True
        for event in events:
            evolve(self, event, applied)
            self._recorded.append(event)

    def evolve(self, event: Event) -> None:
        """Apply one event (replay)."""
        evolve(self, event, False)
