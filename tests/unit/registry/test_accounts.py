"""Opening accounts: caller-chosen ids, kinds, names, an owner, no duplicates."""

from __future__ import annotations

import pytest

from cqx_registry.domain import commands as cmd
from cqx_registry.domain import events as ev
from cqx_registry.domain.commands import AccountKind, ParticipantKind
from tests.unit.registry.given import given, opened, refused, registered, when

COVERED = AccountKind.COVERED_ENTITY


def test_an_account_opens_under_the_id_the_caller_chose_for_its_participant() -> None:
    state = given(registered("datang"))
    decided = when(state, cmd.OpenAccount("KEU-0001", COVERED, " Datang ", "datang"))
    assert decided.events == (ev.AccountOpened("KEU-0001", COVERED, "Datang", "datang"),)
    assert state.accounts["KEU-0001"].name == "Datang"
    assert state.participants["datang"].account_ids == ("KEU-0001",)
    assert state.participants["datang"].trading_account_id == "KEU-0001"


@pytest.mark.parametrize("account_id", ["", "a" * 65, "has space", "semi;colon", "ünï"])
def test_a_malformed_account_id_is_invalid(account_id: str) -> None:
    error = refused(
        given(registered("p")), cmd.OpenAccount(account_id, AccountKind.INSTITUTION, "X", "p")
    )
    assert error.reason == "ACCOUNT_ID_INVALID"


def test_the_longest_account_id_is_accepted() -> None:
    state = given(registered("xchg", ParticipantKind.EXCHANGE))
    when(state, cmd.OpenAccount("A_-9" * 16, AccountKind.EXCHANGE, "Exchange", "xchg"))
    assert "A_-9" * 16 in state.accounts


def test_an_account_needs_a_kind_a_name_and_a_participant() -> None:
    state = given(registered("p"))
    assert refused(state, cmd.OpenAccount("a", None, "X", "p")).reason == "ACCOUNT_KIND_MISSING"
    no_name = cmd.OpenAccount("a", COVERED, "   ", "p")
    assert refused(state, no_name).reason == "ACCOUNT_NAME_INVALID"
    nobody = cmd.OpenAccount("a", COVERED, "A", "")
    assert refused(state, nobody).reason == "PARTICIPANT_ID_INVALID"


def test_an_account_of_an_unknown_participant_is_not_found_and_nothing_is_recorded() -> None:
    state = given()
    error = refused(state, cmd.OpenAccount("a", COVERED, "A", "ghost"))
    assert (error.reason, error.metadata) == ("PARTICIPANT_NOT_FOUND", {"participant_id": "ghost"})
    assert "register it first" in str(error)
    assert state.accounts == {}


def test_an_account_id_in_use_cannot_be_opened_again() -> None:
    state = given(*opened("KEU-1"), registered("other", ParticipantKind.INSTITUTION))
    error = refused(state, cmd.OpenAccount("KEU-1", AccountKind.INSTITUTION, "Other", "other"))
    assert error.reason == "ACCOUNT_ALREADY_EXISTS"
    assert state.accounts["KEU-1"].kind is AccountKind.COVERED_ENTITY
