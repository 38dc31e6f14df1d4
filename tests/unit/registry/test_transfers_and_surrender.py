"""Transfers (propose → check → complete or terminate) and surrender (R-C3)."""

from __future__ import annotations

import pytest

from cqx_registry.domain import commands as cmd
from cqx_registry.domain import events as ev
from cqx_registry.domain.state import Holding
from tests.unit.registry.given import CEA_2024, given, issued, opened, refused, when


def test_a_transfer_is_proposed_then_completed() -> None:
    state = given(*opened("A", "B"), issued("A", 100))
    decided = when(state, cmd.TransferAllowances("t1", "A", "B", CEA_2024, 70))
    assert decided.events == (
        ev.TransferProposed("t1", "A", "B", CEA_2024, 70),
        ev.TransferCompleted("t1", "A", "B", CEA_2024, 70),
    )
    assert decided.refusal is None
    assert state.holding("A", CEA_2024) == Holding(registry=30)
    assert state.holding("B", CEA_2024) == Holding(registry=70)


def test_a_transfer_that_fails_its_check_is_recorded_as_terminated_and_refused() -> None:
    state = given(*opened("A", "B"), issued("A", 100))
    decided = when(state, cmd.TransferAllowances("t1", "A", "B", CEA_2024, 101))
    assert decided.events == (
        ev.TransferProposed("t1", "A", "B", CEA_2024, 101),
        ev.TransferTerminated("t1", "A", "B", CEA_2024, 101, "INSUFFICIENT_REGISTRY_POSITION"),
    )
    assert decided.refusal is not None
    assert decided.refusal.reason == "INSUFFICIENT_REGISTRY_POSITION"
    assert state.holding("A", CEA_2024) == Holding(registry=100)
    assert state.holding("B", CEA_2024) == Holding()


def test_a_malformed_transfer_records_nothing() -> None:
    state = given(*opened("A", "B"), issued("A", 100))
    assert refused(state, cmd.TransferAllowances("t", "A", "A", CEA_2024, 1)).reason == (
        "SAME_ACCOUNT"
    )
    assert refused(state, cmd.TransferAllowances("t", "A", "C", CEA_2024, 1)).reason == (
        "ACCOUNT_NOT_FOUND"
    )
    assert refused(state, cmd.TransferAllowances("t", "A", "", CEA_2024, 1)).reason == (
        "ACCOUNT_ID_INVALID"
    )


@pytest.mark.parametrize(
    ("instrument", "year"), [("CEA-2019-2020", 2020), ("CEA-2023", 2023), ("CEA-2021", 2024)]
)
def test_a_vintage_up_to_the_compliance_year_can_be_surrendered_r_c3(
    instrument: str, year: int
) -> None:
    state = given(*opened("A"), issued("A", 100, instrument))
    decided = when(state, cmd.Surrender("s1", "A", instrument, 40, year))
    assert decided.events == (ev.AllowancesSurrendered("s1", "A", instrument, 40, year),)
    assert state.holding("A", instrument) == Holding(registry=60)
    assert state.totals[instrument].surrendered == 40


@pytest.mark.parametrize(("instrument", "year"), [("CEA-2019-2020", 2019), ("CEA-2024", 2023)])
def test_a_vintage_after_the_compliance_year_cannot_be_surrendered_r_c3(
    instrument: str, year: int
) -> None:
    state = given(*opened("A"), issued("A", 100, instrument))
    error = refused(state, cmd.Surrender("s1", "A", instrument, 1, year))
    assert error.reason == "VINTAGE_AFTER_COMPLIANCE_YEAR"


def test_surrender_needs_a_plausible_year_and_enough_registry_position() -> None:
    state = given(*opened("A"), issued("A", 10))
    assert refused(state, cmd.Surrender("s", "A", CEA_2024, 1, 0)).reason == (
        "COMPLIANCE_YEAR_INVALID"
    )
    assert refused(state, cmd.Surrender("s", "A", CEA_2024, 11, 2024)).reason == (
        "INSUFFICIENT_REGISTRY_POSITION"
    )


def test_ccer_credits_have_no_vintage_to_check() -> None:
    state = given(*opened("A"), issued("A", 10, "CCER-P1-B1"))
    assert len(when(state, cmd.Surrender("s", "A", "CCER-P1-B1", 5, 2021)).events) == 1
