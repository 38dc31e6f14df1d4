"""Prices and amounts at the edge: decimal text in CNY ↔ integer fen, exactly, never a float.

A price is CNY per tonne with the tick 0.01 CNY (R-U2), an amount is CNY; both are carried as
integer fen. Quantities are whole tonnes (R-U1).
"""

from __future__ import annotations

import re

from cqx_sdk.errors import InvalidValueError

INT64_MAX = 2**63 - 1
_DECIMAL = re.compile(r"^(?P<units>[0-9]+)(?:\.(?P<cents>[0-9]*))?$")


def _to_fen(text: object, what: str, unit_note: str) -> int:
    """``text`` (e.g. ``"74.63"``) in fen; the problem named in ``InvalidValueError``."""
    if not isinstance(text, str):
        # A float cannot say 74.63 exactly; an int would be ambiguous (CNY or fen?).
        raise InvalidValueError(f"{what} must be given as text like '74.63', not {text!r}")
    value = text.strip()
    match = _DECIMAL.match(value)
    if value.startswith("-"):
        raise InvalidValueError(f"{what} must be positive, not {value!r}")
    if match is None:
        raise InvalidValueError(f"{what} {value!r} is not a number like 74.63")
    cents = match["cents"] or ""
    if len(cents) > 2:
        raise InvalidValueError(f"{what} {value!r} has more than 2 decimal places ({unit_note})")
    fen = int(match["units"]) * 100 + int(cents.ljust(2, "0"))
    if fen <= 0:
        raise InvalidValueError(f"{what} must be positive, not {value!r}")
    if fen > INT64_MAX:
        raise InvalidValueError(f"{what} {value!r} is too large")
    return fen


def parse_price(text: str) -> int:
    """A price in CNY per tonne (``"74.63"``) as integer fen (``7463``).

    Exact: more than 2 decimal places, a sign, zero, or anything but decimal text (a float
    included) raises :class:`InvalidValueError`.
    """
    return _to_fen(text, "price", "the tick is 0.01 CNY")


def parse_amount(text: str) -> int:
    """An amount in CNY (``"1000000.00"``) as integer fen (``100000000``); rules as
    :func:`parse_price`."""
    return _to_fen(text, "amount", "the smallest unit is 0.01 CNY, one fen")


def format_price(fen: int) -> str:
    """Integer fen as CNY with two decimals: ``7463`` → ``"74.63"``, ``-5`` → ``"-0.05"``."""
    sign = "-" if fen < 0 else ""
    units, cents = divmod(abs(fen), 100)
    return f"{sign}{units}.{cents:02d}"


def format_amount(fen: int) -> str:
    """Integer fen as CNY with thousands separators: ``500000000`` → ``"5,000,000.00"``."""
    sign = "-" if fen < 0 else ""
    units, cents = divmod(abs(fen), 100)
    return f"{sign}{units:,}.{cents:02d}"


def parse_quantity(text: str | int) -> int:
    """A quantity in whole tonnes (``"100"`` or ``100``); zero, negative, fractional or
    non-numeric quantities raise :class:`InvalidValueError`."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise InvalidValueError(f"quantity must be a whole number of tonnes, not {text!r}")
    value = text.strip() if isinstance(text, str) else str(text)
    if not re.fullmatch(r"-?[0-9]+", value):
        raise InvalidValueError(f"quantity {value!r} is not a whole number of tonnes")
    tonnes = int(value)
    if tonnes <= 0:
        raise InvalidValueError(f"quantity must be positive, not {tonnes}")
    if tonnes > INT64_MAX:
        raise InvalidValueError(f"quantity {value!r} is too large")
    return tonnes
