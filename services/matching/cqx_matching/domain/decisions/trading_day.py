"""Decisions on the trading day: open it, and close it (R-T6, R-T9, R-T10, R-T11)."""

from __future__ import annotations

from cqx_matching.domain.commands import CloseTradingDay, OpenTradingDay
from cqx_matching.domain.decisions.bidding import allocate
from cqx_matching.domain.events import TradingDayClosed, TradingDayOpened
from cqx_matching.domain.state import ExchangeState
from cqx_matching.domain.vocabulary import Reason


def open_trading_day(ex: ExchangeState, c: OpenTradingDay) -> str | None:
    """Start a trading day: a weekday that is not an operator holiday (R-T4)."""
    if ex.day is not None:
        return Reason.DAY_ALREADY_OPEN
    if not ex.calendar.is_trading_day(c.day):
        return Reason.NOT_A_TRADING_DAY
    if ex.last_closed is not None and c.day <= ex.last_closed:
        return Reason.DAY_ALREADY_CLOSED
    ex.record([TradingDayOpened(c.day, c.at)])
    return None


def close_trading_day(ex: ExchangeState, c: CloseTradingDay) -> str | None:
    """End the day, instrument by instrument: allocate what bidding is still open, expire
    every open order and negotiation (R-T10), publish the day's statistics (R-T9); then
    today's purchases become sellable (R-T6)."""
    day = ex.day
    if day is None:
        return Reason.DAY_NOT_OPEN
    if c.at < ex.calendar.close_of(day):
        return Reason.SESSION_STILL_OPEN
    for name in sorted(ex.markets):
        market = ex.markets[name]
        for auction in market.bidding.open_auctions():
            allocate(ex, market, auction, c.at)
        ex.record(market.continuous.expire_all(c.at))
        ex.record(market.listed.expire_all(c.at))
        ex.record(market.block.expire_all(c.at))
        ex.record([market.statistics.summary(name, day, c.at)])
    ex.record([TradingDayClosed(day, c.at)])
    return None
