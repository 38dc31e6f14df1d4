"""The habits of the ``cqx`` command line, each as a user meets it: every command kept and
taking the output modes, ``--version``, shell completion, did-you-mean, the global flags
documented once, errors as JSON with a hint, and units in the JSON.

No service runs here: every address points at a port nothing listens on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import click
import pytest

from cqx_sdk import CqxApiError
from cqx_sdk.cli import main, run
from cqx_sdk.cli.app import parse
from cqx_sdk.cli.globals import connection
from cqx_sdk.cli.invocation import Call
from cqx_sdk.cli.problems import refused
from cqx_sdk.cli.render import Output
from cqx_sdk.cli.tree import build_cli
from cqx_sdk.cli.units import jsonable
from cqx_sdk.matching_views import Side, Trade, TradingMode
from tests.support.pki import as_env, member, pki_dir

ROOT = Path(__file__).resolve().parents[3]
NOWHERE = {
    **as_env(),
    **{
        f"CQX_{s}_ADDRESS": "127.0.0.1:9"
        for s in ("REGISTRY", "ALLOCATION", "MATCHING", "SETTLEMENT")
    },
}
# Every command the argparse command line had (none may be lost), and those added since.
COMMANDS = """
participants list|participants show|participants register|participants restrict|
participants reinstate|accounts list|accounts show|accounts open|holdings|move to-trading|
move from-trading|deposit|withdraw|cash|settlement status|settlement trade|order place|
order cancel|order take|
order reduce|order replace|order show|orders|risk|block propose|block counter|block accept|
block withdraw|block show|bidding announce|bidding bid|bidding close|bidding show|book|
listings|trades|executions|day open|day close|day show|conservation|audit verify|
approvals list|approvals approve|approvals reject"""
GLOBAL_FLAGS = (
    "--output",
    "--json",
    "--registry",
    "--allocation",
    "--matching",
    "--settlement",
    "--as",
    "--request-id",
)


def leaves(group: click.Group, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], click.Command]:
    """Every command that runs something, by its path under ``cqx``."""
    found: dict[tuple[str, ...], click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(leaves(command, (*path, name)))
        else:
            found[(*path, name)] = command
    return found


def test_every_command_of_the_argparse_command_line_is_kept() -> None:
    expected = {tuple(p.split()) for p in COMMANDS.replace("\n", "").split("|")}
    assert set(leaves(build_cli())) == expected
    assert len(expected) == 45


@pytest.mark.parametrize("path", sorted(leaves(build_cli())), ids=" ".join)
async def test_every_command_takes_the_output_modes(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run([*path, "-o", "bogus"], environ=NOWHERE) == 2
    err = capsys.readouterr().err
    assert "'bogus' is not one of 'table', 'json', 'wide'" in err
    flags = {o for p in leaves(build_cli())[path].params for o in p.opts}
    assert {"-o", "--output", "--json"} <= flags


async def test_json_is_an_alias_of_o_json_and_cannot_contradict_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run(["cash", "a-1", "--json", "-o", "wide"], environ=NOWHERE) == 2
    assert "--json is -o json; it cannot go with -o wide" in capsys.readouterr().err


async def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run(["--version"], environ={}) == 0
    assert capsys.readouterr().out == f"cqx, version {version('cqx')}\n"


def complete(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], words: str
) -> str:
    """What bash is told when the user presses Tab after ``words``."""
    monkeypatch.setenv("_CQX_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split()) - 1))
    with pytest.raises(SystemExit) as done:
        main([])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_the_shell_completes_commands_and_flags(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert complete(monkeypatch, capsys, "cqx ord").splitlines() == ["plain,order", "plain,orders"]
    assert "plain,place" in complete(monkeypatch, capsys, "cqx order pl").splitlines()
    assert complete(monkeypatch, capsys, "cqx order place --si").splitlines() == ["plain,--side"]
    monkeypatch.setenv("_CQX_COMPLETE", "bash_source")
    with pytest.raises(SystemExit):
        main([])
    script = capsys.readouterr().out
    assert "_cqx_completion()" in script
    assert "complete -o nosort -F _cqx_completion cqx" in script


async def test_a_mistyped_command_or_flag_gets_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run(["ordr"], environ=NOWHERE) == 2
    assert capsys.readouterr().err == (
        "cqx: error: no such command 'ordr'; did you mean 'order' or 'orders'? see 'cqx --help'\n"
    )
    argv = ["order", "place", "--instrumnt", "CEA-2024"]
    assert await run(argv, environ=NOWHERE) == 2
    assert capsys.readouterr().err == (
        "cqx order place: error: no such option '--instrumnt'; did you mean '--instrument'? "
        "see 'cqx order place --help'\n"
    )
    assert await run(["-o", "json", "bidding", "anounce"], environ=NOWHERE) == 2
    error = json.loads(capsys.readouterr().err)["error"]
    assert (error["reason"], error["metadata"]["did_you_mean"]) == ("NO_SUCH_COMMAND", "announce")


async def test_the_global_flags_are_documented_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run(["--help"], environ={}) == 0
    top = capsys.readouterr().out
    assert await run(["order", "place", "--help"], environ={}) == 0
    place = capsys.readouterr().out
    guide = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for flag in GLOBAL_FLAGS:
        assert f"  {flag}" in top or f", {flag}" in top, flag
        assert f"`{flag}" in guide, flag
        assert f"  {flag} " not in place, flag  # a leaf points at the top instead
    assert "see 'cqx --help'" in place
    assert "_CQX_COMPLETE" in top


async def test_an_error_under_o_json_is_a_json_document_with_a_hint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run(["-o", "json", "accounts", "list"], environ=NOWHERE) == 1
    out, err = capsys.readouterr()
    assert out == ""
    error = json.loads(err)["error"]
    assert (error["code"], error["reason"], error["exit_code"]) == (
        "UNAVAILABLE",
        "SERVICE_UNREACHABLE",
        1,
    )
    assert error["metadata"] == {"service": "registry", "address": "127.0.0.1:9"}
    assert "--registry or CQX_REGISTRY_ADDRESS" in error["hint"]
    assert await run(["deposit", "a-1", "1.001", "--json"], environ=NOWHERE) == 2
    error = json.loads(capsys.readouterr().err)["error"]
    assert (error["code"], error["reason"]) == ("USAGE", "INVALID_VALUE")
    assert "more than 2 decimal places" in error["message"]
    assert error["hint"] == "see 'cqx deposit --help'"


def test_a_refusal_keeps_its_reason_message_and_metadata_and_gains_a_hint() -> None:
    error = CqxApiError(
        "FAILED_PRECONDITION", "INSUFFICIENT_FUNDS", "needs\n7,463.00 CNY", {"account_id": "a"}
    )
    problem = refused(error, 1)
    assert (problem.code, problem.reason, problem.message, problem.metadata) == (
        "FAILED_PRECONDITION",
        "INSUFFICIENT_FUNDS",
        "needs 7,463.00 CNY",
        {"account_id": "a"},
    )
    assert "cqx risk ACCOUNT" in problem.hint
    assert problem.line == "error: INSUFFICIENT_FUNDS: needs 7,463.00 CNY (account_id=a)"
    unknown = refused(CqxApiError("NOT_FOUND", "ORDER_NOT_FOUND", "no order o-9", {}), 1)
    assert "check the id" in unknown.hint


def floats_in(value: object) -> list[object]:
    """Every float anywhere in JSON-ready data."""
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats_in(v)]
    if isinstance(value, list):
        return [f for v in value for f in floats_in(v)]
    return [value] if isinstance(value, float) else []


def test_json_says_its_units_fen_beside_cny_tonnes_and_rfc_3339_times() -> None:
    executed_us = 1_752_631_200_123_456  # 2025-07-16 10:00:00.123456 in Shanghai
    trade = Trade(
        "CEA-2024-1", "CEA-2024", TradingMode.CONTINUOUS, 7463, 1_000, "b", "s", "o-1", "o-2",
        Side.BUY, 37315, 37315, "2025-07-16", executed_us,
    )  # fmt: skip
    data = jsonable(trade)
    assert isinstance(data, dict)
    assert (data["price_fen"], data["price_cny"]) == (7463, "74.63")
    assert (data["buyer_fee_fen"], data["buyer_fee_cny"]) == (37315, "373.15")
    assert data["quantity_t"] == 1_000
    assert "quantity_tonnes" not in data
    assert data["executed_at"] == "2025-07-16T10:00:00.123456+08:00"
    assert datetime.fromisoformat(str(data["executed_at"])).timestamp() * 1e6 == executed_us
    assert floats_in(data) == []


def test_the_wide_mode_shows_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    trade = Trade(
        "T-1", "CEA-2024", TradingMode.CONTINUOUS, 7463, 10, "b", "s", "o-1", "o-2", Side.BUY,
        37, 37, "2025-07-16", 1_752_631_200_000_000,
    )  # fmt: skip
    Output("wide").emit([trade], "the short view")
    header, _, row = capsys.readouterr().out.splitlines()
    assert header.split()[:5] == [
        "trade_id",
        "instrument",
        "trading_mode",
        "price_fen",
        "price_cny",
    ]
    assert "buy_order_id" in header.split()
    assert row.split()[-1] == "2025-07-16T10:00:00+08:00"
    Output("table").emit([trade], "the short view")
    assert capsys.readouterr().out == "the short view\n"


def test_eligible_takes_several_accounts_after_one_flag_as_before() -> None:
    call = parse(
        ["bidding", "announce", "--account", "a", "--side", "sell", "--instrument", "CEA-2030",
         "--quantity", "10", "--reserve", "70.00", "--minutes", "5", "--eligible", "b", "c", "d"]
    )  # fmt: skip
    assert isinstance(call, Call)
    assert (*call.params["eligible"], *call.params["more_eligible"]) == ("b", "c", "d")


def test_the_credential_is_chosen_as_kubectl_chooses_a_context(tmp_path: Path) -> None:
    pki = pki_dir()
    member("m-habit")
    # --as wins over $CQX_AS; a config file's profile over the authority's directory.
    env = {"CQX_PKI_DIR": str(pki), "CQX_AS": "operator", "CQX_CONFIG": str(tmp_path / "none")}
    assert connection({}, env).credentials().cert == pki / "operator.crt"
    assert connection({"as_": "m-habit"}, env).credentials().cert == pki / "m-habit.crt"
    config = tmp_path / "config.toml"
    config.write_text(
        f'current = "desk"\n[profiles.desk]\nca = "{pki}/ca.crt"\n'
        f'cert = "{pki}/m-habit.crt"\nkey = "{pki}/m-habit.key"\n'
    )
    chosen = connection({}, {"CQX_CONFIG": str(config)}).credentials()
    assert chosen.cert == pki / "m-habit.crt"


async def test_no_credential_is_a_usage_error_naming_how_to_give_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**NOWHERE, "CQX_AS": "", "CQX_CONFIG": str(tmp_path / "none")}
    assert await run(["accounts", "list"], environ=env) == 2
    assert "choose a credential: --as NAME" in capsys.readouterr().err
    assert await run(["--as", "nobody", "accounts", "list"], environ=env) == 2
    assert "no credential for nobody" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("code", "reason", "expected"),
    [
        ("ALREADY_EXISTS", "REQUEST_ID_REUSED", "give a new one"),
        ("NOT_FOUND", "ACCOUNT_NOT_FOUND", "cqx accounts list"),
        ("FAILED_PRECONDITION", "QUANTITY_TOO_LARGE", "cqx block propose"),
        ("INVALID_ARGUMENT", "POSITION_AFTER_HEAD", "--as-of"),
        ("FAILED_PRECONDITION", "DAY_ALREADY_CLOSED", "never reopens"),
    ],
)
def test_the_new_refusals_each_come_with_what_to_do_next(
    code: str, reason: str, expected: str
) -> None:
    assert expected in refused(CqxApiError(code, reason, "refused", {}), 1).hint


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """``cqx ... | head``: the reader closes the pipe before cqx writes its answer."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read what cqx prints
    child = subprocess.run(
        [sys.executable, "-c", "from cqx_sdk.cli import main; main(['--help'])"],
        stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
    )  # fmt: skip
    os.close(write_end)
    assert "Traceback" not in child.stderr
    assert child.returncode == 0
