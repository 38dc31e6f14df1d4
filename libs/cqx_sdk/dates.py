"""Trading dates: days in Asia/Shanghai, as yyyy-mm-dd."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

# China Standard Time has no daylight saving: a trading date is a UTC+8 date.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def today_in_shanghai(now: datetime | None = None) -> str:
    """Today's trading date (Asia/Shanghai), yyyy-mm-dd (``now`` for tests)."""
    moment = now if now is not None else datetime.now(SHANGHAI)
    return moment.astimezone(SHANGHAI).date().isoformat()


def shanghai_instant_us(trading_date: str, clock: time) -> int:
    """``clock`` on ``trading_date`` in Asia/Shanghai, in microseconds since the Unix epoch."""
    moment = datetime.combine(date.fromisoformat(trading_date), clock, SHANGHAI)
    seconds = int(moment.timestamp())
    return seconds * 1_000_000 + moment.microsecond


def shanghai_time(instant_us: int) -> str:
    """An instant (microseconds since the epoch) as ``yyyy-mm-dd HH:MM:SS`` in Asia/Shanghai."""
    moment = datetime.fromtimestamp(instant_us / 1_000_000, SHANGHAI)
    return moment.strftime("%Y-%m-%d %H:%M:%S")
