"""``cqx conservation`` and ``cqx audit verify``: what an auditor checks."""

from __future__ import annotations

import asyncio
import sys

import click

from cqx_sdk.cli import invocation
from cqx_sdk.cli.arguments import UsageError
from cqx_sdk.cli.commands.cash import cny
from cqx_sdk.cli.invocation import Invocation, leaf
from cqx_sdk.cli.render import table
from cqx_sdk.registry_views import Conservation, InstrumentConservation
from cqx_sdk.settlement_views import CashConservation

HEADERS = (
    "INSTRUMENT",
    "ISSUED t",
    "REGISTRY t",
    "TRADING t",
    "FROZEN t",
    "SURRENDERED t",
    "CANCELLED t",
    "HOLDS",
)


def _row(c: InstrumentConservation) -> tuple[str, ...]:
    parts: tuple[int, ...] = (c.issued_tonnes, c.registry_tonnes, c.trading_tonnes)
    parts += (c.frozen_tonnes, c.surrendered_tonnes, c.cancelled_tonnes)
    return (c.instrument, *(f"{t:,}" for t in parts), "yes" if c.holds else "NO")


def conservation_text(allowances: Conservation, money: CashConservation) -> str:
    """The registry's check per instrument, then the clearing ledger's."""
    rows = [_row(c) for c in allowances.instruments]
    return (
        table(HEADERS, rows, empty="(nothing issued)")
        + f"\ncash: balances {cny(money.total_balances_fen)} (fees "
        f"{cny(money.fee_account_balance_fen)}) = deposited {cny(money.deposited_fen)} - "
        f"withdrawn {cny(money.withdrawn_fen)}: {'holds' if money.holds else 'DOES NOT HOLD'}"
    )


async def conservation(run: Invocation) -> int:
    """``cqx conservation [INSTRUMENT]``: allowances in the registry, cash in the clearing
    ledger; exit 1 when either does not hold."""
    allowances = await run.client.registry.check_conservation(run.args.instrument or "")
    money = await run.client.settlement.check_conservation()
    holds = allowances.holds and money.holds
    data = {"holds": holds, "allowances": allowances, "cash": money}
    run.out.emit(data, conservation_text(allowances, money))
    return 0 if holds else 1


async def verify(run: Invocation) -> int:
    """``cqx audit verify --schema S``: each schema's hash chain, by ``python -m
    cqx_eventstore verify`` (needs ``CQX_DATABASE_URL`` or ``--dsn``)."""
    dsn = run.args.dsn or run.environ.get("CQX_DATABASE_URL")
    if not dsn:
        raise UsageError("cqx audit verify", "no database: pass --dsn or set CQX_DATABASE_URL")
    results = []
    for schema in run.args.schema:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "cqx_eventstore",
            "verify",
            "--dsn",
            dsn,
            "--schema",
            schema,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        said = (out.decode() + err.decode()).strip().splitlines()
        results.append(
            {
                "schema": schema,
                "intact": process.returncode == 0,
                "message": said[-1] if said else "",
            }
        )
    text = "\n".join(str(r["message"]) for r in results)
    run.out.emit(results, text)
    return 0 if all(r["intact"] for r in results) else 1


def register(root: click.Group) -> None:
    """Add ``conservation`` and ``audit``."""
    leaf(
        root,
        "conservation",
        conservation,
        [click.Argument(["instrument"], metavar="INSTRUMENT", required=False)],
        help="check that allowances and cash are conserved",
    )
    group = invocation.group(root, "audit", "verify the services' event logs")
    verified = [
        click.Option(
            ["--schema"],
            multiple=True,
            required=True,
            help="a service's schema, e.g. registry (repeat for several)",
        ),
        click.Option(["--dsn"], help="admin DSN (default: $CQX_DATABASE_URL)"),
    ]
    leaf(group, "verify", verify, verified, help="verify the hash chain of event store schemas")
