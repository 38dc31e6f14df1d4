"""The allocation cycle's rules (thin for now: the formulas of R-AL* come later)."""

from __future__ import annotations

import re

from cqx_allocation.domain.errors import InvalidAllocationRequestError
from cqx_allocation.domain.events import ComplianceStatus

FIRST_YEAR = 2019
LAST_YEAR = 2099
COMBINED_VINTAGE = "CEA-2019-2020"
_ENTITY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def instrument_for(year: int) -> str:
    """The CEA instrument of a compliance year; 2019 and 2020 share one vintage (R-U3)."""
    return COMBINED_VINTAGE if year in (2019, 2020) else f"CEA-{year}"


def compliance_status(verified_tonnes: int | None, surrendered_tonnes: int) -> ComplianceStatus:
    """R-C1: C while emissions are missing; A when surrendered ≥ obligation; B otherwise."""
    if verified_tonnes is None:
        return ComplianceStatus.C
    if surrendered_tonnes >= verified_tonnes:
        return ComplianceStatus.A
    return ComplianceStatus.B


def year_in_range(year: int) -> bool:
    """Whether ``year`` may be a compliance year."""
    return FIRST_YEAR <= year <= LAST_YEAR


def check_year(year: int) -> None:
    """Refuse a year outside 2019..2099 (YEAR_OUT_OF_RANGE)."""
    if not year_in_range(year):
        raise InvalidAllocationRequestError(
            f"compliance year {year} is outside {FIRST_YEAR}..{LAST_YEAR}",
            reason="YEAR_OUT_OF_RANGE",
            metadata={"year": str(year)},
        )


def check_entity_id(entity_id: str) -> None:
    """Refuse an empty entity id (ENTITY_ID_MISSING) or one not [A-Za-z0-9_-]{1,64}."""
    if not entity_id:
        raise InvalidAllocationRequestError("entity_id is required", reason="ENTITY_ID_MISSING")
    if not _ENTITY_ID.fullmatch(entity_id):
        raise InvalidAllocationRequestError(
            "entity_id must be 1 to 64 of A-Z, a-z, 0-9, '_' and '-'",
            reason="ENTITY_ID_INVALID",
            metadata={"entity_id": entity_id[:80]},
        )


def check_text(field: str, value: str) -> None:
    """Refuse an empty or blank required text field (``<FIELD>_MISSING``)."""
    if not value.strip():
        raise InvalidAllocationRequestError(
            f"{field} is required", reason=f"{field.upper()}_MISSING"
        )


def check_not_negative(field: str, tonnes: int) -> None:
    """Refuse a negative quantity (``<FIELD>_NEGATIVE``)."""
    if tonnes < 0:
        raise InvalidAllocationRequestError(
            f"{field} must not be negative, got {tonnes}",
            reason=f"{field.upper()}_NEGATIVE",
            metadata={field: str(tonnes)},
        )
