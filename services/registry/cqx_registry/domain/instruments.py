"""Instrument codes: which ones exist, and the vintage year a CEA code counts as (R-U3)."""

from __future__ import annotations

import re

from cqx_registry.domain.errors import invalid

COMBINED_VINTAGE = "CEA-2019-2020"  # one vintage for the first compliance period
_CEA = re.compile(r"CEA-(\d{4})")
_CCER = re.compile(r"CCER-[A-Za-z0-9]+-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_FIRST_ANNUAL_VINTAGE = 2021
_LAST_ANNUAL_VINTAGE = 2099


def is_instrument(code: str) -> bool:
    """Whether ``code`` names an instrument: a CEA vintage or a CCER project block."""
    return cea_vintage(code) is not None or _CCER.fullmatch(code) is not None


def check_instrument(code: str) -> str:
    """``code`` if it names an instrument, else INVALID_ARGUMENT ``INSTRUMENT_UNKNOWN``."""
    if not is_instrument(code):
        raise invalid(
            f"{code!r} is not an instrument (CEA-2019-2020, CEA-YYYY or CCER-<project>-<block>)",
            "INSTRUMENT_UNKNOWN",
            instrument=code,
        )
    return code


def cea_vintage(code: str) -> int | None:
    """The year a CEA code's vintage counts as (CEA-2019-2020 counts as 2020); None if not CEA."""
    if code == COMBINED_VINTAGE:
        return 2020
    match = _CEA.fullmatch(code)
    if match is None:
        return None
    year = int(match.group(1))
    return year if _FIRST_ANNUAL_VINTAGE <= year <= _LAST_ANNUAL_VINTAGE else None
