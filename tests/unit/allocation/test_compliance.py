"""R-C1: an entity complies when it has surrendered at least its verified emissions."""

from __future__ import annotations

import pytest

from cqx_allocation.domain.commands import RecordSurrender, RecordVerifiedEmissions
from cqx_allocation.domain.errors import InvalidAllocationRequestError, YearNotOpenError
from cqx_allocation.domain.events import (
    ComplianceStatus,
    ComplianceStatusChanged,
    EmissionsVerified,
    Event,
    SurrenderRecorded,
    SurrenderUnattributed,
)
from tests.unit.allocation.given import PLANT, YEAR_2024, given, when

E, ACCOUNT = PLANT.entity_id, PLANT.account_id
A, B = ComplianceStatus.A, ComplianceStatus.B


def _surrender(tonnes: int, year: int = 2024, account: str = ACCOUNT) -> RecordSurrender:
    return RecordSurrender(account, "CEA-2024", tonnes, year, "evt-1")


def _recorded(tonnes: int, year: int = 2024) -> SurrenderRecorded:
    return SurrenderRecorded(E, year, "CEA-2024", tonnes, "evt-1")


def test_r_c1_status_stays_c_while_no_emissions_are_verified() -> None:
    state = given(PLANT, YEAR_2024)
    assert when(state, _surrender(500)) == [_recorded(500)]
    assert state.record(E, 2024).status is ComplianceStatus.C


def test_r_c1_verified_emissions_without_surrender_make_the_entity_short() -> None:
    assert when(given(PLANT, YEAR_2024), RecordVerifiedEmissions(E, 2024, 1000)) == [
        EmissionsVerified(E, 2024, 1000),
        ComplianceStatusChanged(E, 2024, B, surrendered_tonnes=0, obligation_tonnes=1000),
    ]


def test_r_c1_surrendered_beforehand_counts_when_emissions_are_verified() -> None:
    state = given(PLANT, YEAR_2024, _recorded(1000))
    assert when(state, RecordVerifiedEmissions(E, 2024, 1000)) == [
        EmissionsVerified(E, 2024, 1000),
        ComplianceStatusChanged(E, 2024, A, surrendered_tonnes=1000, obligation_tonnes=1000),
    ]


def _short_by(missing: int) -> list[Event]:
    """An entity verified at 1,000 t that has surrendered 1,000 − ``missing``."""
    return [
        PLANT, YEAR_2024, EmissionsVerified(E, 2024, 1000),
        ComplianceStatusChanged(E, 2024, B, 0, 1000), _recorded(1000 - missing),
    ]  # fmt: skip


def test_r_c1_a_surrender_that_leaves_a_shortfall_keeps_the_entity_short() -> None:
    state = given(*_short_by(400))
    assert when(state, _surrender(300)) == [_recorded(300)]


def test_r_c1_the_surrender_that_meets_the_obligation_makes_the_entity_compliant() -> None:
    state = given(*_short_by(100))
    assert when(state, _surrender(100)) == [
        _recorded(100),
        ComplianceStatusChanged(E, 2024, A, surrendered_tonnes=1000, obligation_tonnes=1000),
    ]


def test_r_c1_zero_verified_emissions_are_met_by_nothing() -> None:
    (_, changed) = when(given(PLANT, YEAR_2024), RecordVerifiedEmissions(E, 2024, 0))
    assert changed == ComplianceStatusChanged(E, 2024, A, 0, 0)


def test_r_c1_a_lower_corrected_verification_can_make_the_entity_compliant() -> None:
    state = given(
        PLANT, YEAR_2024, _recorded(800), EmissionsVerified(E, 2024, 1000),
        ComplianceStatusChanged(E, 2024, B, 800, 1000),
    )  # fmt: skip
    assert when(state, RecordVerifiedEmissions(E, 2024, 800)) == [
        EmissionsVerified(E, 2024, 800),
        ComplianceStatusChanged(E, 2024, A, surrendered_tonnes=800, obligation_tonnes=800),
    ]


def test_an_unchanged_status_is_not_announced_again() -> None:
    state = given(
        PLANT, YEAR_2024, EmissionsVerified(E, 2024, 1000),
        ComplianceStatusChanged(E, 2024, B, 0, 1000),
    )  # fmt: skip
    assert when(state, RecordVerifiedEmissions(E, 2024, 1200)) == [EmissionsVerified(E, 2024, 1200)]


def test_verified_emissions_need_an_open_year_and_no_negative_tonnes() -> None:
    with pytest.raises(YearNotOpenError):
        when(given(PLANT), RecordVerifiedEmissions(E, 2024, 10))
    with pytest.raises(InvalidAllocationRequestError) as refused:
        when(given(PLANT, YEAR_2024), RecordVerifiedEmissions(E, 2024, -10))
    assert refused.value.reason == "VERIFIED_TONNES_NEGATIVE"


def test_a_surrender_from_an_unlinked_account_is_kept_as_unattributed() -> None:
    assert when(given(PLANT, YEAR_2024), _surrender(50, account="acct-999")) == [
        SurrenderUnattributed("acct-999", "CEA-2024", 50, "evt-1", 2024,
                              "ACCOUNT_NOT_LINKED", "")
    ]  # fmt: skip


def test_a_surrender_against_an_impossible_year_is_kept_as_unattributed() -> None:
    assert when(given(PLANT, YEAR_2024), _surrender(50, year=0)) == [
        SurrenderUnattributed(ACCOUNT, "CEA-2024", 50, "evt-1", 0, "YEAR_OUT_OF_RANGE", E)
    ]


def test_a_surrender_for_a_year_not_yet_open_still_counts_for_that_year() -> None:
    assert when(given(PLANT), _surrender(50, year=2025)) == [_recorded(50, year=2025)]
