"""The trading calendars the service can run under: the exchange's, or around the clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time

from cqx_matching.domain import Session, TradingCalendar, TradingMode

ALL_DAY = Session(time(0, 0), time.max)


def _all_day() -> dict[TradingMode, tuple[Session, ...]]:
    return dict.fromkeys(TradingMode, (ALL_DAY,))


@dataclass(frozen=True)
class AroundTheClockCalendar(TradingCalendar):
    """Every day but the operator's holidays is a trading day, every mode is open all day,
    and a day may be closed at any time: for demos and drills, never for the real market."""

    sessions: Mapping[TradingMode, tuple[Session, ...]] = field(default_factory=_all_day)

    def is_trading_day(self, day: date) -> bool:
        """Any day but a holiday."""
        return day not in self.holidays

    def is_open(self, mode: TradingMode, at: int) -> bool:
        """Every mode, all day, on any day but a holiday."""
        return self.day_of(at) not in self.holidays

    def close_of(self, day: date) -> int:
        """The day may close from its first moment."""
        return self.at(day, time(0, 0))


def calendar_for(sessions: str, holidays: frozenset[date]) -> TradingCalendar:
    """``exchange``: R-T4's sessions; ``around-the-clock``: :class:`AroundTheClockCalendar`."""
    if sessions == "around-the-clock":
        return AroundTheClockCalendar(holidays=holidays)
    return TradingCalendar(holidays=holidays)
