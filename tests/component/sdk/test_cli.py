"""The ``cqx`` command line against real registry, allocation and settlement services."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from cqx_bus import KafkaAccess
from cqx_sdk.cli import run
from tests.component.sdk.support import UNREACHABLE, ThreeServices, three_services

Cqx = Callable[..., Awaitable[tuple[int, str, str]]]


NAMESPACE = f"t_{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
async def services(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[ThreeServices]:
    async with three_services(database_url, kafka_admin, NAMESPACE) as s:
        yield s


@pytest.fixture
def cqx(services: ThreeServices, capsys: pytest.CaptureFixture[str]) -> Cqx:
    """``await cqx("accounts", "list")`` → (exit code, stdout, stderr)."""

    async def invoke(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await run(argv, environ=services.environ())
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


async def test_an_opened_account_is_listed_as_a_table_and_as_json(cqx: Cqx) -> None:
    code, out, err = await cqx(
        "participants", "register", "shanxi", "--kind", "key-emission-unit", "--name", "Shanxi"
    )
    assert (code, err, out.strip()) == (0, "", "registered key-emission-unit shanxi (Shanxi)")
    code, out, err = await cqx(
        "accounts", "open", "shanxi-007", "--kind", "covered-entity", "--name", "Shanxi Power 7",
        "--participant", "shanxi",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "opened covered-entity account shanxi-007" in out
    code, out, _ = await cqx("accounts", "list")
    header, rule, *rows = out.splitlines()
    assert header.split() == ["ACCOUNT", "KIND", "PARTICIPANT", "NAME"]
    assert set(rule) <= {"-", " "}
    assert any(r.split()[:2] == ["shanxi-007", "covered-entity"] for r in rows)
    code, out, _ = await cqx("accounts", "list", "--json")
    listed = json.loads(out)
    assert {
        "account_id": "shanxi-007",
        "kind": "covered-entity",
        "name": "Shanxi Power 7",
        "participant_id": "shanxi",
    } in listed
    code, out, _ = await cqx("--json", "accounts", "show", "shanxi-007")
    assert json.loads(out)["holdings"]["holdings"] == []


async def test_participants_are_shown_restricted_and_reinstated(cqx: Cqx) -> None:
    await cqx("participants", "register", "cli-fund", "--kind", "institution", "--name", "Fund")
    await cqx(
        "accounts", "open", "cli-fund-1", "--kind", "institution", "--name", "Fund",
        "--participant", "cli-fund",
    )  # fmt: skip
    code, out, err = await cqx("participants", "restrict", "cli-fund", "--reason", "audit 7")
    assert (code, err) == (0, "")
    assert out.startswith("restricted cli-fund: no transfers, no orders (accounts: cli-fund-1)")
    code, out, _ = await cqx("participants", "show", "cli-fund")
    assert out.splitlines()[3:6] == [
        "status           restricted",
        "restriction      audit 7",
        "trading account  cli-fund-1",
    ]
    code, out, _ = await cqx("participants", "list")
    header, _, *rows = out.splitlines()
    assert header.split() == ["PARTICIPANT", "KIND", "STATUS", "TRADING", "ACCOUNT", "NAME"]
    assert ["cli-fund", "institution", "restricted", "cli-fund-1", "Fund"] in [
        r.split() for r in rows
    ]
    code, _, err = await cqx("participants", "restrict", "cli-fund", "--reason", "again")
    assert code == 1
    assert err.startswith("error: PARTICIPANT_ALREADY_RESTRICTED: ")
    code, out, _ = await cqx("--json", "participants", "reinstate", "cli-fund")
    assert (code, json.loads(out)["status"]) == (0, "active")
    code, _, err = await cqx(
        "accounts", "open", "cli-fund-2", "--kind", "institution", "--name", "Fund 2",
        "--participant", "cli-fund",
    )  # fmt: skip
    assert code == 1
    assert "TRADING_ACCOUNT_EXISTS" in err


async def test_holdings_of_a_new_account_are_empty_as_of_a_position(cqx: Cqx) -> None:
    await cqx("participants", "register", "empty", "--kind", "institution", "--name", "Empty")
    await cqx(
        "accounts", "open", "empty-1", "--kind", "institution", "--name", "Empty",
        "--participant", "empty",
    )  # fmt: skip
    code, out, _ = await cqx("holdings", "empty-1")
    assert code == 0
    assert "(no holdings)" in out
    assert "holdings of empty-1 as of registry position" in out
    code, out, _ = await cqx("holdings", "empty-1", "--json")
    answer = json.loads(out)
    assert (answer["account_id"], answer["holdings"]) == ("empty-1", [])
    assert answer["position"] > 0


async def test_a_deposit_shows_in_the_cash_balance(cqx: Cqx) -> None:
    code, out, _ = await cqx("deposit", "cash-cli", "1000000.00")
    assert code == 0
    assert "deposited 1,000,000.00 CNY to cash-cli; balance 1,000,000.00 CNY" in out
    code, out, _ = await cqx("deposit", "cash-cli", "0.50", "--json")
    assert json.loads(out)["balance_fen"] == 100_000_050
    code, out, _ = await cqx("cash", "cash-cli")
    assert "available            1,000,000.50 CNY" in out
    code, out, _ = await cqx("cash", "cash-cli", "--json")
    assert json.loads(out)["available_fen"] == 100_000_050


async def test_the_same_request_id_deposits_once(cqx: Cqx) -> None:
    for _ in range(2):
        await cqx("deposit", "once-cli", "10.00", "--request-id", "deposit-once-cli-1")
    _, out, _ = await cqx("cash", "once-cli", "--json")
    assert json.loads(out)["balance_fen"] == 1_000


async def test_an_unknown_account_is_one_error_line_and_exit_code_1(cqx: Cqx) -> None:
    code, out, err = await cqx("holdings", "no-such-account")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith("error: ACCOUNT_NOT_FOUND: ")
    assert "no-such-account" in err
    code, _, err = await cqx("cash", "no-such-account")
    assert code == 1
    assert err.startswith("error: CASH_ACCOUNT_NOT_FOUND: ")


async def test_bad_arguments_are_refused_before_any_call_with_exit_code_2(cqx: Cqx) -> None:
    code, out, err = await cqx("deposit", "cash-cli", "12.345")
    assert (code, out) == (2, "")
    assert "12.345" in err
    assert "more than 2 decimal places" in err
    code, _, err = await cqx("move", "to-trading", "a", "CEA-2024", "-5")
    assert code == 2
    assert "quantity must be positive" in err
    _, out, _ = await cqx("cash", "cash-cli", "--json")
    assert json.loads(out)["balance_fen"] == 100_000_050  # the refused deposit never ran


async def test_a_service_that_is_down_is_named(
    services: ThreeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = {**services.environ(), "CQX_REGISTRY_ADDRESS": UNREACHABLE}
    code = await run(["accounts", "list"], environ=environ)
    _, err = capsys.readouterr()
    assert code == 1
    assert err == (
        f"error: cannot reach the registry service at {UNREACHABLE} (is CQX running?"
        " start it with `make run`, or set CQX_REGISTRY_ADDRESS)\n"
    )
    code = await run(
        ["--registry", services.addresses.registry, "accounts", "list"], environ=environ
    )
    assert code == 0


async def test_audit_verify_checks_each_hash_chain(
    cqx: Cqx, services: ThreeServices, database_url: str
) -> None:
    await cqx("participants", "register", "audited", "--kind", "institution", "--name", "A")
    await cqx(
        "accounts", "open", "audited-1", "--kind", "institution", "--name", "Audited",
        "--participant", "audited",
    )  # fmt: skip
    schemas = [f"{NAMESPACE}_registry", f"{NAMESPACE}_settlement"]
    code, out, err = await cqx(
        "audit",
        "verify",
        "--schema",
        schemas[0],
        "--schema",
        schemas[1],
        "--dsn",
        database_url,
        "--json",
    )
    assert (code, err) == (0, "")
    verified = json.loads(out)
    assert [(v["schema"], v["intact"]) for v in verified] == [(s, True) for s in schemas]
    assert verified[0]["message"].startswith(f"{schemas[0]}: hash chain intact over ")


async def test_the_three_output_modes_show_one_answer(cqx: Cqx) -> None:
    await cqx("deposit", "modes-cli", "1234.56")
    code, out, _ = await cqx("cash", "modes-cli", "-o", "table")
    assert code == 0
    assert "balance              1,234.56 CNY" in out
    code, out, _ = await cqx("-o", "json", "cash", "modes-cli")
    assert json.loads(out) == {
        "account_id": "modes-cli",
        "balance_fen": 123_456,
        "balance_cny": "1234.56",
        "pending_withdrawals_fen": 0,
        "pending_withdrawals_cny": "0.00",
        "available_fen": 123_456,
        "available_cny": "1234.56",
    }
    code, out, _ = await cqx("cash", "modes-cli", "-o", "wide")
    assert code == 0
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()}
    assert lines["balance_fen"] == ["123456"]
    assert lines["available_cny"] == ["1234.56"]


async def test_a_refusal_under_o_json_keeps_the_services_reason_and_metadata(cqx: Cqx) -> None:
    code, out, err = await cqx("holdings", "nobody-json", "-o", "json")
    assert (code, out) == (1, "")
    error = json.loads(err)["error"]
    assert (error["code"], error["reason"], error["exit_code"]) == (
        "NOT_FOUND",
        "ACCOUNT_NOT_FOUND",
        1,
    )
    assert "nobody-json" in error["message"]
    assert "nobody-json" in error["metadata"].values()
    assert error["hint"].startswith("check the id")
