"""Bad command lines are refused before any call: exit code 2 and one line naming the problem.

Every address points at a port nothing listens on, so a command that got as far as a call
would fail with exit code 1 instead.
"""

from __future__ import annotations

import shlex

import pytest

from cqx_sdk.cli import run
from tests.support.pki import as_env

NOWHERE = {
    **as_env(),
    **{
        f"CQX_{s}_ADDRESS": "127.0.0.1:9"
        for s in ("REGISTRY", "ALLOCATION", "MATCHING", "SETTLEMENT")
    },
}

PLACE = shlex.split(
    "order place --account a-1 --side buy --instrument CEA-2024 --price 74 --quantity 10"
)
ANNOUNCE = shlex.split(
    "bidding announce --account a --side sell --instrument CEA-2030 --quantity 10 --reserve 70"
)


async def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = await run(argv, environ=NOWHERE)
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err
    return err


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["deposit", "a-1", "1000.001"], "amount '1000.001' has more than 2 decimal places"),
        (["deposit", "a-1", "-5"], "amount must be positive"),
        (["withdraw", "a-1", "lots"], "amount 'lots' is not a number"),
        (["move", "to-trading", "a-1", "CEA-2024", "-100"], "quantity must be positive"),
        (["move", "from-trading", "a-1", "CEA-2024", "1.5"], "'1.5' is not a whole number"),
        (["holdings", "a-1", "--as-of", "zero"], "position must be a whole number"),
        (["holdings", "not an id"], "'not an id' is not an id"),
        (
            ["accounts", "open", "a-1", "--kind", "bank", "--name", "A", "--participant", "p"],
            "'bank' is not one of",
        ),
        (["accounts", "open", "a-1", "--kind", "institution", "--participant", "p"], "--name"),
        (["accounts", "open", "a-1", "--kind", "institution", "--name", "A"], "--participant"),
        (
            ["participants", "register", "p-1", "--kind", "broker", "--name", "P"],
            "'broker' is not one of",
        ),
        (["participants", "restrict", "p-1"], "--reason"),
        (["participants", "show", "not an id"], "'not an id' is not an id"),
        (["settlement", "status", "2025-13-01"], "date must be yyyy-mm-dd"),
        (["--registry", "nowhere", "accounts", "list"], "address must be HOST:PORT"),
        (["accounts"], "missing command: one of list, open, show"),
        (["launch"], "no such command 'launch'"),
        ([*PLACE, "--ioc", "--fok"], "--ioc is not allowed with --fok"),
        (ANNOUNCE, "give one of --end, --minutes"),
        ([*ANNOUNCE, "--minutes", "5", "stray"], "unexpected argument 'stray'"),
    ],
)
async def test_a_bad_argument_exits_2_naming_the_problem(
    argv: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = await _refused(argv, capsys)
    assert problem in err
    assert err.startswith("cqx")


async def test_global_options_are_accepted_after_the_subcommand_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = await run(["accounts", "list", "--registry", "127.0.0.1:9"], environ=as_env())
    _, err = capsys.readouterr()
    assert code == 1  # it got as far as calling the (absent) registry at the given address
    assert "registry service at 127.0.0.1:9" in err


async def test_a_global_option_after_the_subcommand_wins_over_the_one_before_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--registry", "127.0.0.1:8", "accounts", "list", "--registry", "127.0.0.1:9"]
    assert await run(argv, environ=as_env()) == 1
    assert "registry service at 127.0.0.1:9" in capsys.readouterr().err


async def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run(["--help"], environ={}) == 0
    assert "Usage: cqx [OPTIONS] COMMAND" in capsys.readouterr().out


async def test_audit_verify_needs_a_database(capsys: pytest.CaptureFixture[str]) -> None:
    code = await run(["audit", "verify", "--schema", "registry"], environ={})
    assert code == 2
    assert "CQX_DATABASE_URL" in capsys.readouterr().err
