"""The trading calendar: sessions per trading mode, working days and the operator's holidays
(R-T4). Shared kernel: the exchange trades by it, and allocation counts working days by it.

Times are integers: microseconds since the Unix epoch, UTC, supplied by the caller with every
command. The calendar converts them to exchange-local time. Decision: the exchange's zone,
Asia/Shanghai, is applied as a fixed UTC+08:00 offset (China has observed no daylight saving
since 1991), so no time-zone database is needed and the code stays pure.

Trading modes are named by their plain values (``"CONTINUOUS"``, ``"LISTED"``, ``"BLOCK"``,
``"BIDDING"``), so the kernel needs no service's vocabulary; matching's ``TradingMode`` is a
``StrEnum`` with those values and may be passed wherever a mode is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
SHANGHAI_OFFSET_MINUTES = 8 * 60


def timestamp(moment: datetime) -> int:
    """Microseconds since the epoch for a time-zone-aware ``moment``."""
    if moment.tzinfo is None:
        raise ValueError("timestamp() needs an aware datetime")
    return (moment - EPOCH) // MICROSECOND


@dataclass(frozen=True, slots=True)
class Session:
    """One continuous stretch of a trading day, local time, start included, end excluded."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """Whether the local clock time ``moment`` falls inside the session."""
        return self.start <= moment < self.end


LISTED, CONTINUOUS, BLOCK, BIDDING = "LISTED", "CONTINUOUS", "BLOCK", "BIDDING"
TRADING_MODES = (CONTINUOUS, LISTED, BLOCK, BIDDING)
MORNING = Session(time(9, 30), time(11, 30))
AFTERNOON = Session(time(13, 0), time(15, 0))


def default_sessions() -> dict[str, tuple[Session, ...]]:
    """R-T4: listed (and continuous) 09:30–11:30 and 13:00–15:00; block 13:00–15:00.

    One-way bidding windows must lie inside a listed session (the announcement names them).
    """
    return {
        LISTED: (MORNING, AFTERNOON),
        CONTINUOUS: (MORNING, AFTERNOON),
        BLOCK: (AFTERNOON,),
        BIDDING: (MORNING, AFTERNOON),
    }


DAY_MICROS = 86_400_000_000
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # a Thursday: weekday() == 3
# The timestamps a calendar answers for: 1970-01-01 to 9999-12-30 UTC, so that the local date
# of any of them (up to a day either side) is a ``date``. Outside, conversions would raise.
EARLIEST_US = 0
LATEST_US = (date(9999, 12, 30).toordinal() - EPOCH_ORDINAL) * DAY_MICROS


def _micros(clock: time) -> int:
    return ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000 + clock.microsecond


@dataclass(frozen=True)
class TradingCalendar:
    """When each trading mode is open: Monday to Friday, minus the operator's holidays.

    The questions asked on every order (``is_open``, ``day_of``) are answered with integer
    arithmetic on precomputed session bounds, not with datetime objects.
    """

    holidays: frozenset[date] = frozenset()
    sessions: Mapping[str, tuple[Session, ...]] = field(default_factory=default_sessions)
    utc_offset_minutes: int = SHANGHAI_OFFSET_MINUTES
    _offset: int = field(init=False, repr=False, compare=False)
    _holiday_days: frozenset[int] = field(init=False, repr=False, compare=False)
    _windows: dict[str, tuple[tuple[int, int], ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        windows = {
            mode: tuple((_micros(s.start), _micros(s.end)) for s in sessions)
            for mode, sessions in self.sessions.items()
        }
        holidays = frozenset(d.toordinal() - EPOCH_ORDINAL for d in self.holidays)
        object.__setattr__(self, "_offset", self.utc_offset_minutes * 60_000_000)
        object.__setattr__(self, "_holiday_days", holidays)
        object.__setattr__(self, "_windows", windows)

    @staticmethod
    def covers(at: int) -> bool:
        """Whether ``at`` lies in the range the calendar answers for (``EARLIEST_US`` to
        ``LATEST_US``); outside it, ``local`` and ``day_of`` have no answer."""
        return EARLIEST_US <= at <= LATEST_US

    def local(self, at: int) -> datetime:
        """The exchange-local wall-clock time (naive) of the timestamp ``at``."""
        return EPOCH.replace(tzinfo=None) + timedelta(
            microseconds=at, minutes=self.utc_offset_minutes
        )

    def at(self, day: date, clock: time) -> int:
        """The timestamp of local ``clock`` time on ``day``."""
        local = datetime.combine(day, clock)
        utc = local - timedelta(minutes=self.utc_offset_minutes)
        return (utc - EPOCH.replace(tzinfo=None)) // MICROSECOND

    def day_of(self, at: int) -> date:
        """The local calendar date of the timestamp ``at``."""
        return date.fromordinal(EPOCH_ORDINAL + (at + self._offset) // DAY_MICROS)

    def is_trading_day(self, day: date) -> bool:
        """Monday to Friday and not an operator holiday (R-T4)."""
        return day.weekday() < 5 and day not in self.holidays

    def is_open(self, mode: str, at: int) -> bool:
        """Whether ``mode`` accepts orders at ``at``."""
        day, moment = divmod(at + self._offset, DAY_MICROS)
        if (day + 3) % 7 >= 5 or day in self._holiday_days:
            return False
        for start, end in self._windows.get(mode, ()):  # noqa: SIM110 (no generator: hot path)
            if start <= moment < end:
                return True
        return False

    def within_one_session(self, mode: str, start: int, end: int) -> bool:
        """Whether the interval [start, end) lies inside one session of ``mode`` on one day
        (never, for times the calendar does not cover)."""
        if not (self.covers(start) and self.covers(end)):
            return False
        first, last = self.local(start), self.local(end)
        if first.date() != last.date() or not self.is_trading_day(first.date()):
            return False
        return any(
            s.start <= first.time() and last.time() <= s.end for s in self.sessions.get(mode, ())
        )

    def close_of(self, day: date) -> int:
        """The timestamp at which the last session of any mode on ``day`` ends."""
        ends = [s.end for sessions in self.sessions.values() for s in sessions]
        return self.at(day, max(ends))

    def next_trading_day(self, day: date) -> date:
        """The first trading day after ``day``: where D+1 in R-T6 lands."""
        candidate = day + timedelta(days=1)
        while not self.is_trading_day(candidate):
            candidate += timedelta(days=1)
        return candidate


ALL_DAY = Session(time(0, 0), time.max)


def _all_day() -> dict[str, tuple[Session, ...]]:
    return dict.fromkeys(TRADING_MODES, (ALL_DAY,))


@dataclass(frozen=True)
class AroundTheClockCalendar(TradingCalendar):
    """Every day but the operator's holidays is a trading day, every mode is open all day,
    and a day may be closed at any time: for demos and drills, never for the real market."""

    sessions: Mapping[str, tuple[Session, ...]] = field(default_factory=_all_day)

    def is_trading_day(self, day: date) -> bool:
        """Any day but a holiday."""
        return day not in self.holidays

    def is_open(self, mode: str, at: int) -> bool:
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
