"""``cqx accounts``, ``cqx holdings`` and ``cqx move``: the registry."""

from __future__ import annotations

from functools import partial

import click

from cqx_sdk.cli import arguments, invocation
from cqx_sdk.cli.invocation import Handler, Invocation, leaf
from cqx_sdk.cli.render import details, table
from cqx_sdk.registry_views import Account, AccountKind, Holding, HoldingChange, Holdings

KINDS = [k.value for k in AccountKind if k is not AccountKind.UNSPECIFIED]


def _accounts_table(accounts: list[Account]) -> str:
    rows = [(a.account_id, a.kind.value, a.participant_id or "-", a.name) for a in accounts]
    return table(("ACCOUNT", "KIND", "PARTICIPANT", "NAME"), rows, empty="(no accounts)")


def holdings_table(holdings: Holdings) -> str:
    """An account's holdings, one instrument a row, then the log position they reflect."""
    rows = [
        (
            h.instrument,
            f"{h.registry_tonnes:,}",
            f"{h.trading_tonnes:,}",
            f"{h.frozen_tonnes:,}",
            f"{h.pending_out_tonnes:,}",
            f"{h.total_tonnes:,}",
        )
        for h in holdings.holdings
    ]
    headers = ("INSTRUMENT", "REGISTRY t", "TRADING t", "FROZEN t", "PENDING OUT t", "TOTAL t")
    text = table(headers, rows, empty="(no holdings)")
    return f"{text}\nholdings of {holdings.account_id} as of registry position {holdings.position}"


def _holding_line(h: Holding) -> str:
    return (
        f"{h.account_id} {h.instrument}: registry {h.registry_tonnes:,} t, trading "
        f"{h.trading_tonnes:,} t, frozen {h.frozen_tonnes:,} t, pending out "
        f"{h.pending_out_tonnes:,} t"
    )


async def list_accounts(run: Invocation) -> int:
    """``cqx accounts list``."""
    accounts = [a async for a in run.client.registry.list_accounts()]
    run.out.emit(accounts, _accounts_table(accounts))
    return 0


async def show_account(run: Invocation) -> int:
    """``cqx accounts show ID``: the account and its holdings."""
    account = await run.client.registry.get_account(run.args.account_id)
    held = await run.client.registry.holdings(account.account_id)
    text = details(
        [
            ("account", account.account_id),
            ("kind", account.kind.value),
            ("participant", account.participant_id or "-"),
            ("name", account.name),
        ]
    )
    run.out.emit({"account": account, "holdings": held}, f"{text}\n\n{holdings_table(held)}")
    return 0


async def open_account(run: Invocation) -> int:
    """``cqx accounts open ID --kind K --name N --participant P``."""
    a = run.args
    account = await run.client.registry.open_account(
        a.account_id, AccountKind(a.kind), a.name, a.participant, request_id=run.request_id
    )
    run.out.emit(
        account,
        f"opened {account.kind.value} account {account.account_id} ({account.name}) "
        f"of participant {account.participant_id}",
    )
    return 0


async def show_holdings(run: Invocation) -> int:
    """``cqx holdings ACCOUNT [--as-of POSITION]``."""
    held = await run.client.registry.holdings(run.args.account_id, run.args.as_of or 0)
    run.out.emit(held, holdings_table(held))
    return 0


async def move(direction: str, run: Invocation) -> int:
    """``cqx move to-trading|from-trading ACCOUNT INSTRUMENT QUANTITY``."""
    a = run.args
    registry = run.client.registry
    mover = registry.move_to_trading if direction == "to-trading" else registry.move_from_trading
    change: HoldingChange = await mover(
        a.account_id, a.instrument, a.quantity, request_id=run.request_id
    )
    note = "" if direction == "to-trading" else " (pending until the exchange approves)"
    run.out.emit(
        change,
        f"move {change.operation_id}: {a.quantity:,} t {direction}{note}\n"
        f"{_holding_line(change.holding)}",
    )
    return 0


def _mover(direction: str) -> Handler:
    return partial(move, direction)


def register(root: click.Group) -> None:
    """Add ``accounts``, ``holdings`` and ``move``."""
    group = invocation.group(root, "accounts", "registry accounts: list, show, open")
    leaf(group, "list", list_accounts, help="every account")
    account_id = click.Argument(["account_id"], metavar="ID", type=arguments.IDENTIFIER)
    leaf(group, "show", show_account, [account_id], help="one account and its holdings")
    opened = [
        click.Argument(["account_id"], metavar="ID", type=arguments.IDENTIFIER),
        click.Option(["--kind"], required=True, type=click.Choice(KINDS)),
        click.Option(["--name"], required=True),
        click.Option(
            ["--participant"],
            required=True,
            type=arguments.IDENTIFIER,
            metavar="PARTICIPANT",
            help="the registered participant that owns it",
        ),
    ]
    leaf(
        group, "open", open_account, opened, mutating=True, help="open an account of a participant"
    )
    held = [
        click.Argument(["account_id"], metavar="ACCOUNT", type=arguments.IDENTIFIER),
        click.Option(["--as-of"], type=arguments.POSITION, metavar="POSITION"),
    ]
    leaf(
        root,
        "holdings",
        show_holdings,
        held,
        help="an account's holdings, now or as of a registry log position",
    )
    group = invocation.group(root, "move", "move allowances to or from trading")
    for direction, text in (
        ("to-trading", "registry position → trading position"),
        ("from-trading", "trading position → registry position"),
    ):
        moved = [
            click.Argument(["account_id"], metavar="ACCOUNT", type=arguments.IDENTIFIER),
            click.Argument(["instrument"], metavar="INSTRUMENT"),
            click.Argument(["quantity"], metavar="QUANTITY", type=arguments.QUANTITY),
        ]
        leaf(group, direction, _mover(direction), moved, mutating=True, help=text)
