"""Decisions on each instrument's day, on the operator's word, over the exchange's one day.

The first instrument opened on a date opens the exchange's day (``OpenTradingDay``'s own
decision); an instrument named for the first time is listed; closing an instrument expires
its orders (R-T10) and publishes its figures (R-T9); closing the last one ends the exchange's
day (today's purchases mature, R-T6).
"""

from __future__ import annotations

from cqx_matching.domain.commands import CloseInstrumentDay, OpenInstrumentDay, OpenTradingDay
from cqx_matching.domain.decisions.bidding import allocate
from cqx_matching.domain.decisions.trading_day import open_trading_day
from cqx_matching.domain.events import Event, TradingDayClosed
from cqx_matching.domain.listing_events import InstrumentDayOpened, InstrumentListed
from cqx_matching.domain.state import ExchangeState
from cqx_matching.domain.vocabulary import Reason


def _open_problem(ex: ExchangeState, c: OpenInstrumentDay) -> str | None:
    if c.day != ex.calendar.day_of(c.at):
        return Reason.TRADING_DATE_NOT_TODAY
    market = ex.markets.get(c.instrument)
    if market is not None and market.day is not None:
        return Reason.DAY_ALREADY_OPEN
    closed = ex.last_closed
    if (market is not None and market.last_closed == c.day) or (
        closed is not None and c.day <= closed
    ):
        return Reason.DAY_ALREADY_CLOSED
    if ex.day is not None and ex.day != c.day:
        return Reason.PREVIOUS_DAY_STILL_OPEN
    reference = c.previous_close or (market.reference_price if market is not None else 0)
    if reference <= 0:
        return Reason.PREVIOUS_CLOSE_REQUIRED
    return None


def open_instrument_day(ex: ExchangeState, c: OpenInstrumentDay) -> str | None:
    """Open ``c.instrument`` for today (listing it first if it is new)."""
    if ex.listing is None:
        return Reason.UNKNOWN_INSTRUMENT  # a fixed set of instruments opens with the day
    problem = _open_problem(ex, c)
    if problem is not None:
        return problem
    if ex.day is None:
        problem = open_trading_day(ex, OpenTradingDay(c.day, c.at))
        if problem is not None:  # not a trading day by the calendar
            return problem
    market = ex.markets.get(c.instrument)
    if market is None:
        ex.record([InstrumentListed(ex.listing(c.instrument), c.at)])
        market = ex.markets[c.instrument]
    reference = c.previous_close or market.reference_price
    ex.record([InstrumentDayOpened(c.instrument, c.day, reference, c.at)])
    return None


def close_instrument_day(ex: ExchangeState, c: CloseInstrumentDay) -> str | None:
    """Close ``c.instrument``'s day once its sessions and bidding windows are over."""
    market = ex.markets.get(c.instrument)
    day = market.day if market is not None else None
    if market is None or day is None:
        return Reason.DAY_NOT_OPEN
    if c.at < ex.calendar.close_of(day):
        return Reason.SESSION_STILL_OPEN
    if any(c.at < a.window_end for a in market.bidding.open_auctions()):
        return Reason.BIDDING_WINDOW_NOT_OVER
    for auction in market.bidding.open_auctions():
        allocate(ex, market, auction, c.at)
    expiring: list[Event] = [
        *market.continuous.expire_all(c.at),
        *market.listed.expire_all(c.at),
        *market.block.expire_all(c.at),
    ]
    expiring.append(market.statistics.summary(c.instrument, day, c.at))
    if not any(m.day is not None for name, m in ex.markets.items() if name != c.instrument):
        expiring.append(TradingDayClosed(day, c.at))
    ex.record(expiring)
    return None
