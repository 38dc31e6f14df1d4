"""What the command line prints: aligned tables, JSON-ready data with units, one-line errors."""

from __future__ import annotations

from cqx_sdk import CqxApiError, ServiceUnavailableError
from cqx_sdk.cli.render import details, jsonable, table
from cqx_sdk.registry_views import (
    Account,
    AccountKind,
    Holding,
    Participant,
    ParticipantKind,
    ParticipantStatus,
)


def test_a_table_pads_columns_and_right_aligns_numbers() -> None:
    text = table(
        ("ACCOUNT", "TRADING t", "PRICE"), [("shanxi-001", "1,000", "74.63"), ("b", "25", "7.00")]
    )
    assert text.splitlines() == [
        "ACCOUNT     TRADING t  PRICE",
        "----------- ---------- -----",
        "shanxi-001      1,000  74.63",
        "b                  25   7.00",
    ]


def test_an_empty_table_says_so_under_its_headers() -> None:
    assert table(("ACCOUNT", "KIND"), [], empty="(no accounts)").splitlines() == [
        "ACCOUNT  KIND",
        "-------- ----",
        "(no accounts)",
    ]


def test_details_align_their_values() -> None:
    assert details([("account", "a-1"), ("available", "1.00 CNY")]).splitlines() == [
        "account    a-1",
        "available  1.00 CNY",
    ]


def test_json_data_spells_enums_as_the_command_line_does() -> None:
    account = Account("a-1", AccountKind.COVERED_ENTITY, "A One", "p-1")
    assert jsonable([account, Holding("a-1", "CEA-2024", trading_tonnes=5)]) == [
        {"account_id": "a-1", "kind": "covered-entity", "name": "A One", "participant_id": "p-1"},
        {
            "account_id": "a-1",
            "instrument": "CEA-2024",
            "registry_t": 0,
            "trading_t": 5,
            "frozen_t": 0,
            "pending_out_t": 0,
        },
    ]


def test_a_participant_in_json_has_its_kind_status_and_accounts() -> None:
    member = Participant(
        "p-1", ParticipantKind.KEY_EMISSION_UNIT, "P One", ParticipantStatus.RESTRICTED,
        "court order", ("a-1", "a-2"), "a-1",
    )  # fmt: skip
    assert jsonable(member) == {
        "participant_id": "p-1",
        "kind": "key-emission-unit",
        "name": "P One",
        "status": "restricted",
        "restriction_reason": "court order",
        "account_ids": ["a-1", "a-2"],
        "trading_account_id": "a-1",
    }


def test_a_refusal_is_one_line_with_its_reason_and_details() -> None:
    error = CqxApiError(
        "FAILED_PRECONDITION",
        "INSUFFICIENT_FUNDS",
        "the order needs 7,463.00 CNY\nbut 100.00 are free",
        {"account_id": "a-1", "needed_fen": "746300"},
    )
    assert error.one_line() == (
        "error: INSUFFICIENT_FUNDS: the order needs 7,463.00 CNY but 100.00 are free "
        "(account_id=a-1, needed_fen=746300)"
    )
    assert not error.retriable


def test_a_refusal_without_a_reason_shows_its_code() -> None:
    assert CqxApiError("INTERNAL", "", "internal error; correlation id c-1", {}).one_line() == (
        "error: INTERNAL: internal error; correlation id c-1"
    )


def test_an_unreachable_service_is_named_with_its_address() -> None:
    error = ServiceUnavailableError("matching", "127.0.0.1:50053", "UNAVAILABLE", "refused")
    assert error.retriable
    assert error.one_line().startswith(
        "error: cannot reach the matching service at 127.0.0.1:50053 (is CQX running?"
    )
    late = ServiceUnavailableError("matching", "h:1", "DEADLINE_EXCEEDED", "")
    assert late.one_line() == "error: the matching service at h:1 did not answer in time"
