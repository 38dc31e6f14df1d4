"""Opening accounts: caller-chosen ids, kinds, names, no duplicates."""

from __future__ import annotations

import pytest

from cqx_registry.domain import commands as cmd
from cqx_registry.domain import events as ev
from cqx_registry.domain.commands import AccountKind
from tests.unit.registry.given import given, opened, refused, when


def test_an_account_opens_under_the_id_the_caller_chose() -> None:
    state = given()
    decided = when(state, cmd.OpenAccount("KEU-0001", AccountKind.COVERED_ENTITY, " Datang "))
    assert decided.events == (ev.AccountOpened("KEU-0001", AccountKind.COVERED_ENTITY, "Datang"),)
    assert state.accounts["KEU-0001"].name == "Datang"


@pytest.mark.parametrize("account_id", ["", "a" * 65, "has space", "semi;colon", "ünï"])
def test_a_malformed_account_id_is_invalid(account_id: str) -> None:
    error = refused(given(), cmd.OpenAccount(account_id, AccountKind.INSTITUTION, "X"))
    assert error.reason == "ACCOUNT_ID_INVALID"


def test_the_longest_account_id_is_accepted() -> None:
    state = given()
    when(state, cmd.OpenAccount("A_-9" * 16, AccountKind.EXCHANGE, "Exchange"))
    assert "A_-9" * 16 in state.accounts


def test_an_account_needs_a_kind_and_a_name() -> None:
    assert refused(given(), cmd.OpenAccount("a", None, "X")).reason == "ACCOUNT_KIND_MISSING"
    no_name = cmd.OpenAccount("a", AccountKind.ISSUANCE, "   ")
    assert refused(given(), no_name).reason == "ACCOUNT_NAME_INVALID"


def test_an_account_id_in_use_cannot_be_opened_again() -> None:
    state = given(*opened("KEU-1"))
    error = refused(state, cmd.OpenAccount("KEU-1", AccountKind.INSTITUTION, "Other"))
    assert error.reason == "ACCOUNT_ALREADY_EXISTS"
    assert state.accounts["KEU-1"].kind is AccountKind.COVERED_ENTITY
