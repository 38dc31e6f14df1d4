"""Trading dates: days in Asia/Shanghai, as yyyy-mm-dd."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

# China Standard Time has no daylight saving: a trading date is a UTC+8 date.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def today_in_shanghai(now: datetime | None = None) -> str:
    """Today's trading date (Asia/Shanghai), yyyy-mm-dd (``now`` for tests)."""
    moment = now if now is not None else datetime.now(SHANGHAI)
    return moment.astimezone(SHANGHAI).date().isoformat()
