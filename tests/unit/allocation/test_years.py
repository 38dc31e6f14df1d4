"""Compliance years and their CEA instruments (R-U3: one instrument per vintage)."""

from __future__ import annotations

import pytest

from cqx_allocation.domain.commands import OpenComplianceYear
from cqx_allocation.domain.errors import InvalidAllocationRequestError, YearAlreadyOpenError
from cqx_allocation.domain.events import ComplianceYearOpened
from tests.unit.allocation.given import YEAR_2024, given, when


@pytest.mark.parametrize(
    ("year", "instrument"),
    [(2019, "CEA-2019-2020"), (2020, "CEA-2019-2020"), (2021, "CEA-2021"), (2099, "CEA-2099")],
)
def test_r_u3_a_year_opens_with_its_vintage(year: int, instrument: str) -> None:
    assert when(given(), OpenComplianceYear(year)) == [ComplianceYearOpened(year, instrument)]


def test_2019_and_2020_are_two_years_of_one_combined_vintage() -> None:
    state = given(ComplianceYearOpened(2019, "CEA-2019-2020"))
    assert when(state, OpenComplianceYear(2020)) == [ComplianceYearOpened(2020, "CEA-2019-2020")]


@pytest.mark.parametrize("year", [0, 2018, 2100, -2024])
def test_years_outside_2019_to_2099_are_refused(year: int) -> None:
    with pytest.raises(InvalidAllocationRequestError) as refused:
        when(given(), OpenComplianceYear(year))
    assert refused.value.reason == "YEAR_OUT_OF_RANGE"


def test_a_year_opens_once() -> None:
    with pytest.raises(YearAlreadyOpenError) as refused:
        when(given(YEAR_2024), OpenComplianceYear(2024))
    assert refused.value.reason == "YEAR_ALREADY_OPEN"
