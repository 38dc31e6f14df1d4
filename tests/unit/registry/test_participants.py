"""Participants: registration, one trading account each (R-A1), staff bodies do not trade
(R-A2), a restricted participant neither transfers nor opens accounts (R-A5).

Every refusal is checked with what it records: nothing (``refused`` decides without applying,
and the state is compared with a copy taken before).
"""

from __future__ import annotations

import copy

import pytest

from cqx_registry.domain import commands as cmd
from cqx_registry.domain import events as ev
from cqx_registry.domain.commands import AccountKind, ParticipantKind
from cqx_registry.domain.membership import ACCOUNT_KINDS_OF, STAFF_KINDS
from cqx_registry.domain.state import Registry
from tests.unit.registry.given import CEA_2024, given, issued, opened, refused, registered, when

KEU, INSTITUTION = ParticipantKind.KEY_EMISSION_UNIT, ParticipantKind.INSTITUTION
REGULATOR = ParticipantKind.REGULATOR
COVERED = AccountKind.COVERED_ENTITY


def refused_unchanged(state: Registry, command: cmd.Command) -> tuple[str, dict[str, str]]:
    """The reason and metadata ``command`` is refused with; the state is as it was."""
    before = copy.deepcopy(state)
    error = refused(state, command)
    assert state == before
    return error.reason, dict(error.metadata)


# --- registration ---------------------------------------------------------------------------


def test_a_participant_registers_under_the_id_the_caller_chose() -> None:
    state = given()
    decided = when(state, cmd.RegisterParticipant("shanxi-030", KEU, " Datang Shanxi "))
    assert decided.events == (ev.ParticipantRegistered("shanxi-030", KEU, "Datang Shanxi"),)
    assert not state.participants["shanxi-030"].restricted


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (cmd.RegisterParticipant("has space", KEU, "X"), "PARTICIPANT_ID_INVALID"),
        (cmd.RegisterParticipant("p" * 65, KEU, "X"), "PARTICIPANT_ID_INVALID"),
        (cmd.RegisterParticipant("p", None, "X"), "PARTICIPANT_KIND_MISSING"),
        (cmd.RegisterParticipant("p", KEU, "  "), "PARTICIPANT_NAME_INVALID"),
        (cmd.RegisterParticipant("p", KEU, "n" * 201), "PARTICIPANT_NAME_INVALID"),
        (cmd.RegisterParticipant("taken", INSTITUTION, "Other"), "PARTICIPANT_ALREADY_EXISTS"),
    ],
)
def test_a_bad_registration_is_refused_and_records_nothing(
    command: cmd.RegisterParticipant, reason: str
) -> None:
    assert refused_unchanged(given(registered("taken")), command)[0] == reason


# --- R-A1: one trading account per participant ------------------------------------------


def test_R_A1_a_second_trading_account_is_refused_naming_the_first() -> None:
    state = given(*opened("datang-1"))
    reason, facts = refused_unchanged(state, cmd.OpenAccount("datang-2", COVERED, "2", "datang-1"))
    assert reason == "TRADING_ACCOUNT_EXISTS"
    assert facts == {"participant_id": "datang-1", "trading_account_id": "datang-1"}
    assert "datang-2" not in state.accounts


def test_R_A1_an_institution_trades_through_one_institution_account_only() -> None:
    state = given(registered("fund", INSTITUTION))
    when(state, cmd.OpenAccount("fund-1", AccountKind.INSTITUTION, "Fund", "fund"))
    second = cmd.OpenAccount("fund-2", AccountKind.INSTITUTION, "Fund", "fund")
    assert refused_unchanged(state, second)[0] == "TRADING_ACCOUNT_EXISTS"
    covered = cmd.OpenAccount("fund-3", COVERED, "Fund", "fund")
    reason, facts = refused_unchanged(state, covered)
    assert (reason, facts["allowed_account_kinds"]) == ("ACCOUNT_KIND_NOT_ALLOWED", "INSTITUTION")


def test_R_A1_a_key_emission_unit_opens_no_institution_or_office_account() -> None:
    state = given(registered("keu"))
    for kind in (AccountKind.INSTITUTION, AccountKind.ISSUANCE, AccountKind.EXCHANGE):
        reason, facts = refused_unchanged(state, cmd.OpenAccount("k", kind, "K", "keu"))
        assert (reason, facts["allowed_account_kinds"]) == (
            "ACCOUNT_KIND_NOT_ALLOWED",
            "COVERED_ENTITY",
        )


# --- R-A2: staff bodies may not trade ------------------------------------------------------


@pytest.mark.parametrize("staff", sorted(STAFF_KINDS))
@pytest.mark.parametrize("kind", [COVERED, AccountKind.INSTITUTION])
def test_R_A2_a_staff_body_cannot_open_a_trading_account(
    staff: ParticipantKind, kind: AccountKind
) -> None:
    state = given(registered("staff", staff))
    reason, facts = refused_unchanged(state, cmd.OpenAccount("s-1", kind, "S", "staff"))
    assert reason == "STAFF_MAY_NOT_TRADE"
    assert facts["participant_kind"] == staff.value
    assert state.participants["staff"].account_ids == ()


def test_R_A2_each_staff_body_holds_only_the_accounts_of_its_office() -> None:
    assert ACCOUNT_KINDS_OF[ParticipantKind.EXCHANGE] == {AccountKind.EXCHANGE}
    assert ACCOUNT_KINDS_OF[ParticipantKind.VERIFIER] == set()
    state = given(registered("cqx", ParticipantKind.EXCHANGE), registered("mee", REGULATOR))
    when(state, cmd.OpenAccount("fees", AccountKind.EXCHANGE, "Fees", "cqx"))
    when(state, cmd.OpenAccount("issue", AccountKind.ISSUANCE, "Issuance", "mee"))
    when(state, cmd.OpenAccount("cancel", AccountKind.CANCELLATION, "Cancelled", "mee"))
    assert state.participants["mee"].account_ids == ("cancel", "issue")
    assert state.participants["mee"].trading_account_id == ""
    wrong = cmd.OpenAccount("fees-2", AccountKind.ISSUANCE, "Fees", "cqx")
    assert refused_unchanged(state, wrong)[0] == "ACCOUNT_KIND_NOT_ALLOWED"


def test_R_A2_a_staff_account_moves_nothing_into_or_out_of_trading() -> None:
    state = given(
        registered("cqx", ParticipantKind.EXCHANGE),
        ev.AccountOpened("fees", AccountKind.EXCHANGE, "Fees", "cqx"),
        issued("fees", 100),
    )
    for command in (
        cmd.MoveToTrading("m1", "fees", CEA_2024, 10),
        cmd.MoveFromTrading("m2", "fees", CEA_2024, 10),
    ):
        reason, facts = refused_unchanged(state, command)
        assert reason == "STAFF_MAY_NOT_TRADE"
        assert facts == {
            "account_id": "fees",
            "participant_id": "cqx",
            "participant_kind": "EXCHANGE",
        }
    assert state.holding("fees", CEA_2024).registry == 100


def test_an_account_opened_before_participants_existed_keeps_working() -> None:
    state = given(ev.AccountOpened("old", COVERED, "Old"), issued("old", 50), *opened("new"))
    assert state.owner_of("old") is None
    when(state, cmd.MoveToTrading("m1", "old", CEA_2024, 10))
    when(state, cmd.TransferAllowances("t1", "old", "new", CEA_2024, 5))
    assert state.holding("new", CEA_2024).registry == 5


# --- R-A5: a restricted participant neither transfers nor trades ----------------------------


def _restricted() -> Registry:
    state = given(*opened("bad", "good"), issued("bad", 100), issued("good", 100))
    when(state, cmd.RestrictParticipant("bad", "CSRC order 2025-17"))
    return state


def test_R_A5_a_restriction_names_every_account_and_the_reason() -> None:
    state = given(*opened("bad"))
    decided = when(state, cmd.RestrictParticipant("bad", " CSRC order 2025-17 "))
    assert decided.events == (ev.ParticipantRestricted("bad", ("bad",), "CSRC order 2025-17"),)
    assert state.participants["bad"].restriction == "CSRC order 2025-17"


@pytest.mark.parametrize(("sender", "receiver"), [("bad", "good"), ("good", "bad")])
def test_R_A5_a_restricted_participant_s_account_neither_sends_nor_receives(
    sender: str, receiver: str
) -> None:
    state = _restricted()
    transfer = cmd.TransferAllowances("t1", sender, receiver, CEA_2024, 10)
    reason, facts = refused_unchanged(state, transfer)
    assert (reason, facts["participant_id"]) == ("PARTICIPANT_RESTRICTED", "bad")
    assert facts["restriction_reason"] == "CSRC order 2025-17"
    assert state.holding("bad", CEA_2024).registry == state.holding("good", CEA_2024).registry


def test_R_A5_a_restricted_participant_opens_no_account() -> None:
    state = given(registered("regulated", REGULATOR))
    when(state, cmd.RestrictParticipant("regulated", "audit"))
    opening = cmd.OpenAccount("r-1", AccountKind.ISSUANCE, "R", "regulated")
    assert refused_unchanged(state, opening)[0] == "PARTICIPANT_RESTRICTED"


def test_R_A5_holdings_stay_and_a_reinstated_participant_transfers_again() -> None:
    state = _restricted()
    assert state.holding("bad", CEA_2024).registry == 100
    decided = when(state, cmd.ReinstateParticipant("bad"))
    assert decided.events == (ev.ParticipantReinstated("bad", ("bad",)),)
    when(state, cmd.TransferAllowances("t1", "bad", "good", CEA_2024, 10))
    assert state.holding("good", CEA_2024).registry == 110


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (cmd.RestrictParticipant("bad", "again"), "PARTICIPANT_ALREADY_RESTRICTED"),
        (cmd.ReinstateParticipant("good"), "PARTICIPANT_NOT_RESTRICTED"),
        (cmd.RestrictParticipant("good", "   "), "RESTRICTION_REASON_INVALID"),
        (cmd.RestrictParticipant("good", "r" * 1025), "RESTRICTION_REASON_INVALID"),
        (cmd.RestrictParticipant("ghost", "x"), "PARTICIPANT_NOT_FOUND"),
        (cmd.ReinstateParticipant("bad id"), "PARTICIPANT_ID_INVALID"),
    ],
)
def test_R_A5_a_restriction_or_reinstatement_that_makes_no_sense_records_nothing(
    command: cmd.Command, reason: str
) -> None:
    assert refused_unchanged(_restricted(), command)[0] == reason
