"""Setting an entity's allocation and issuing it (what is set and not yet issued)."""

from __future__ import annotations

import pytest

from cqx_allocation.domain.commands import IssueAllocation, SetAllocation
from cqx_allocation.domain.errors import (
    EntityNotFoundError,
    InvalidAllocationRequestError,
    NothingToIssueError,
    YearNotOpenError,
)
from cqx_allocation.domain.events import AllocationIssued, AllocationSet, ComplianceYearOpened
from cqx_kernel.errors import FailedPreconditionError, NotFoundError
from tests.unit.allocation.given import PLANT, YEAR_2024, given, when

E = PLANT.entity_id


def test_an_allocation_is_set_for_an_open_year() -> None:
    assert when(given(PLANT, YEAR_2024), SetAllocation(E, 2024, 120_000)) == [
        AllocationSet(E, 2024, 120_000)
    ]


def test_an_allocation_needs_the_year_open() -> None:
    with pytest.raises(YearNotOpenError) as refused:
        when(given(PLANT), SetAllocation(E, 2024, 120_000))
    assert isinstance(refused.value, FailedPreconditionError)
    assert refused.value.reason == "YEAR_NOT_OPEN"


def test_an_allocation_needs_a_registered_entity() -> None:
    with pytest.raises(EntityNotFoundError) as refused:
        when(given(YEAR_2024), SetAllocation("nobody", 2024, 1))
    assert isinstance(refused.value, NotFoundError)
    assert refused.value.reason == "ENTITY_NOT_FOUND"


def test_a_negative_allocation_is_refused_but_zero_is_an_allocation() -> None:
    with pytest.raises(InvalidAllocationRequestError) as refused:
        when(given(PLANT, YEAR_2024), SetAllocation(E, 2024, -1))
    assert refused.value.reason == "QUANTITY_TONNES_NEGATIVE"
    assert when(given(PLANT, YEAR_2024), SetAllocation(E, 2024, 0)) == [AllocationSet(E, 2024, 0)]


def test_issuing_credits_the_entitys_account_with_the_years_instrument() -> None:
    state = given(PLANT, YEAR_2024, AllocationSet(E, 2024, 120_000))
    assert when(state, IssueAllocation(E, 2024, "iss-1")) == [
        AllocationIssued("iss-1", E, "acct-001", 2024, "CEA-2024", 120_000)
    ]


def test_the_combined_vintage_is_issued_for_2020() -> None:
    state = given(PLANT, ComplianceYearOpened(2020, "CEA-2019-2020"), AllocationSet(E, 2020, 5))
    (issued,) = when(state, IssueAllocation(E, 2020, "iss-1"))
    assert isinstance(issued, AllocationIssued)
    assert issued.instrument == "CEA-2019-2020"


def test_a_raised_allocation_issues_only_the_difference() -> None:
    state = given(
        PLANT, YEAR_2024, AllocationSet(E, 2024, 100),
        AllocationIssued("iss-1", E, "acct-001", 2024, "CEA-2024", 100),
        AllocationSet(E, 2024, 130),
    )  # fmt: skip
    assert when(state, IssueAllocation(E, 2024, "iss-2")) == [
        AllocationIssued("iss-2", E, "acct-001", 2024, "CEA-2024", 30)
    ]


@pytest.mark.parametrize(
    "history",
    [
        [],  # nothing set
        [AllocationSet(E, 2024, 0)],
        [AllocationSet(E, 2024, 100), AllocationIssued("i", E, "acct-001", 2024, "CEA-2024", 100)],
        [  # lowered below what was issued: recovery comes with the formulas, not here
            AllocationSet(E, 2024, 100),
            AllocationIssued("i", E, "acct-001", 2024, "CEA-2024", 100),
            AllocationSet(E, 2024, 60),
        ],
    ],
)
def test_nothing_is_issued_twice(history: list[AllocationSet | AllocationIssued]) -> None:
    with pytest.raises(NothingToIssueError) as refused:
        when(given(PLANT, YEAR_2024, *history), IssueAllocation(E, 2024, "iss-9"))
    assert refused.value.reason == "NOTHING_TO_ISSUE"
