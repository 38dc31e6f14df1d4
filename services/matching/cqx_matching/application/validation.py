"""Well-formedness of requests: ids, instrument codes, dates, quantities, prices, pages.

A malformed request is refused with INVALID_ARGUMENT before anything is decided, so nothing is
recorded. Rule violations (bands, funds, sessions) are the engine's, and are recorded.
"""

from __future__ import annotations

import re
from datetime import date

from cqx_kernel.calendar import EARLIEST_US, LATEST_US
from cqx_matching.application.errors import invalid
from cqx_matching.domain.instruments import is_instrument

MAX_INT64 = 2**63 - 1
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def instrument(code: str) -> str:
    """``code`` if it names an instrument, else INVALID_ARGUMENT."""
    if not code:
        raise invalid("instrument is required", "INSTRUMENT_MISSING")
    if not is_instrument(code):
        raise invalid(
            f"{code!r} is not an instrument (CEA-2019-2020, CEA-YYYY or CCER-<project>-<block>)",
            "INSTRUMENT_INVALID",
            instrument=code,
        )
    return code


def account_id(value: str, field: str = "account_id") -> str:
    """``value`` if it is 1-64 characters of [A-Za-z0-9_-], else INVALID_ARGUMENT."""
    name = field.upper()
    if not value:
        raise invalid(f"{field} is required", f"{name}_MISSING")
    if not _ACCOUNT_ID.fullmatch(value):
        raise invalid(f"{field} is not 1-64 characters of [A-Za-z0-9_-]", f"{name}_INVALID")
    return value


def identifier(value: str, field: str) -> str:
    """A non-empty id (order, negotiation, auction)."""
    if not value:
        raise invalid(f"{field} is required", f"{field.upper()}_MISSING")
    return value


def trading_date(text: str) -> date:
    """A date written yyyy-mm-dd."""
    if not text:
        raise invalid("trading_date is required", "TRADING_DATE_MISSING")
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise invalid(f"trading_date is not yyyy-mm-dd: {text!r}", "TRADING_DATE_INVALID") from None


def positive_quantity(value: int, field: str = "quantity_tonnes") -> int:
    """Whole tonnes, at least one (R-U1)."""
    if value <= 0:
        raise invalid(f"{field} must be positive", "QUANTITY_NOT_POSITIVE")
    return value


def positive_price(value: int, field: str = "price_fen") -> int:
    """A price in fen, at least one."""
    if value <= 0:
        raise invalid(f"{field} must be positive", "PRICE_NOT_POSITIVE")
    return value


def timestamp_us(value: int, field: str) -> int:
    """Microseconds since the epoch, UTC, that the trading calendar covers: from 1 (0 or less
    is absent) to ``LATEST_US`` (9999-12-30); beyond, there is no local time to compare."""
    if value <= EARLIEST_US:  # absent (0), or before the epoch
        raise invalid(f"{field} is required", "BIDDING_WINDOW_MISSING", field=field)
    if value > LATEST_US:
        raise invalid(
            f"{field} is microseconds since 1970-01-01 UTC, from 1 to {LATEST_US} "
            f"(9999-12-30): {value}",
            "VALUE_OUT_OF_RANGE", field=field, min="1", max=str(LATEST_US),
        )  # fmt: skip
    return value


def not_negative(value: int, field: str, reason: str) -> int:
    """Zero or more."""
    if value < 0:
        raise invalid(f"{field} must not be negative", reason)
    return value
