"""Each instrument's trading day, on the operator's word, over the engine's one exchange day.

The engine opens and closes one trading day for every instrument at once. The operator opens
and closes instruments one by one: the first instrument opened on a date opens the exchange's
day (the engine's ``OpenTradingDay``); closing an instrument expires its orders (R-T10) and
publishes its figures (R-T9) with the engine's own pieces; closing the last one ends the
exchange's day (the engine's ``TradingDayClosed``: today's purchases mature, R-T6). Orders
reach only instruments open today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cqx_matching.application.listing import (
    AppEvent,
    InstrumentDayOpened,
    InstrumentListed,
    Recorded,
)
from cqx_matching.domain import (
    CloseBidding,
    CommandRejected,
    DayClosed,
    Event,
    Exchange,
    InstrumentConfig,
    InstrumentMarket,
    OpenTradingDay,
    Reason,
    TradingDayClosed,
    rejection_in,
)
from cqx_matching.domain.statistics import DailyStatistics

TRADING_DATE_NOT_TODAY = "TRADING_DATE_NOT_TODAY"
DAY_ALREADY_CLOSED = "DAY_ALREADY_CLOSED"
PREVIOUS_DAY_STILL_OPEN = "PREVIOUS_DAY_STILL_OPEN"
PREVIOUS_CLOSE_REQUIRED = "PREVIOUS_CLOSE_REQUIRED"


class InstrumentDays:
    """Which instruments trade today, and which days have closed."""

    def __init__(self) -> None:
        self.open_today: dict[str, date] = {}
        self.last_closed: dict[str, date] = {}
        self.exchange_closed: date | None = None  # the exchange's last closed day

    def apply(self, event: Recorded) -> None:
        """Fold one event."""
        if isinstance(event, InstrumentDayOpened):
            self.open_today[event.instrument] = event.day
        elif isinstance(event, DayClosed):
            self.open_today.pop(event.instrument, None)
            self.last_closed[event.instrument] = event.day
        elif isinstance(event, TradingDayClosed):
            self.exchange_closed = event.day

    def is_open(self, instrument: str) -> bool:
        """Whether ``instrument`` trades today."""
        return instrument in self.open_today


def apply_listing(exchange: Exchange, event: AppEvent) -> None:
    """Apply a service event to the engine's state (live and in replay)."""
    if isinstance(event, InstrumentListed):
        exchange.markets[event.config.instrument] = InstrumentMarket(event.config)
    else:
        exchange.markets[event.instrument].statistics = DailyStatistics(event.previous_close)


def _refused(command: str, instrument: str, subject: str, reason: str, at: int) -> list[Recorded]:
    return [CommandRejected(instrument, command, subject, None, reason, at)]


def _open_problem(ex: Exchange, days: InstrumentDays, instrument: str, day: date, at: int) -> str:
    if day != ex.calendar.day_of(at):
        return TRADING_DATE_NOT_TODAY
    if days.is_open(instrument):
        return Reason.DAY_ALREADY_OPEN
    closed = days.exchange_closed
    if days.last_closed.get(instrument) == day or (closed is not None and day <= closed):
        return DAY_ALREADY_CLOSED
    if ex.day is not None and ex.day != day:
        return PREVIOUS_DAY_STILL_OPEN
    return ""


def open_day(
    ex: Exchange,
    days: InstrumentDays,
    listing: Callable[[str], InstrumentConfig],
    instrument: str,
    day: date,
    previous_close: int,
    at: int,
) -> list[Recorded]:
    """Open ``instrument`` for ``day``: the events (a ``CommandRejected`` if refused), applied."""
    problem = _open_problem(ex, days, instrument, day, at)
    market = ex.markets.get(instrument)
    reference = previous_close or (market.reference_price if market is not None else 0)
    if not problem and reference <= 0:
        problem = PREVIOUS_CLOSE_REQUIRED
    if problem:
        return _refused("OpenTradingDay", instrument, day.isoformat(), problem, at)
    events: list[Recorded] = []
    if ex.day is None:
        events += ex.apply(OpenTradingDay(day, at))
        if rejection_in(events) is not None:  # not a trading day by the calendar
            return [_with_instrument(e, instrument) for e in events]
    if market is None:
        listed = InstrumentListed(listing(instrument), at)
        apply_listing(ex, listed)
        events.append(listed)
    opened = InstrumentDayOpened(instrument, day, reference, at)
    apply_listing(ex, opened)
    return [*events, opened]


def _with_instrument(event: Recorded, instrument: str) -> Recorded:
    if isinstance(event, CommandRejected):
        return CommandRejected(
            instrument, event.command, event.subject, None, event.reason, event.at
        )
    return event


def close_day(ex: Exchange, days: InstrumentDays, instrument: str, at: int) -> list[Recorded]:
    """Close ``instrument``'s day: the events (a ``CommandRejected`` if refused), applied."""
    day = days.open_today.get(instrument)
    market = ex.markets.get(instrument)
    problem = ""
    if day is None or market is None:
        problem = Reason.DAY_NOT_OPEN
    elif at < ex.calendar.close_of(day):
        problem = Reason.SESSION_STILL_OPEN
    elif any(at < a.window_end for a in market.bidding.open_auctions()):
        problem = Reason.BIDDING_WINDOW_NOT_OVER
    if problem or day is None or market is None:
        return _refused("CloseTradingDay", instrument, instrument, problem, at)
    events: list[Recorded] = []
    for auction in market.bidding.open_auctions():
        events += ex.apply(CloseBidding(instrument, auction.auction_id, at))
    expiring: list[Event] = [
        *market.continuous.expire_all(at),
        *market.listed.expire_all(at),
        *market.block.expire_all(at),
    ]
    expiring.append(market.statistics.summary(instrument, day, at))
    if not any(other != instrument for other in days.open_today):
        expiring.append(TradingDayClosed(day, at))
    for event in expiring:
        ex.evolve(event)  # exactly how the engine's own close applies them
    return [*events, *expiring]
