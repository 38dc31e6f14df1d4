"""``cqx accounts``, ``cqx holdings`` and ``cqx move``: the registry."""

from __future__ import annotations

import argparse

from cqx_sdk.cli import arguments
from cqx_sdk.cli.arguments import CommandParser
from cqx_sdk.cli.invocation import Invocation, Parents, leaf
from cqx_sdk.cli.render import details, table
from cqx_sdk.registry_views import Account, AccountKind, Holding, HoldingChange, Holdings

KINDS = [k.value for k in AccountKind if k is not AccountKind.UNSPECIFIED]


def _accounts_table(accounts: list[Account]) -> str:
    rows = [(a.account_id, a.kind.value, a.name) for a in accounts]
    return table(("ACCOUNT", "KIND", "NAME"), rows, empty="(no accounts)")


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
        [("account", account.account_id), ("kind", account.kind.value), ("name", account.name)]
    )
    run.out.emit({"account": account, "holdings": held}, f"{text}\n\n{holdings_table(held)}")
    return 0


async def open_account(run: Invocation) -> int:
    """``cqx accounts open ID --kind K --name N``."""
    a = run.args
    account = await run.client.registry.open_account(
        a.account_id, AccountKind(a.kind), a.name, request_id=run.request_id
    )
    run.out.emit(
        account, f"opened {account.kind.value} account {account.account_id} ({account.name})"
    )
    return 0


async def show_holdings(run: Invocation) -> int:
    """``cqx holdings ACCOUNT [--as-of POSITION]``."""
    held = await run.client.registry.holdings(run.args.account_id, run.args.as_of or 0)
    run.out.emit(held, holdings_table(held))
    return 0


async def move(run: Invocation) -> int:
    """``cqx move to-trading|from-trading ACCOUNT INSTRUMENT QUANTITY``."""
    a = run.args
    registry = run.client.registry
    mover = registry.move_to_trading if a.direction == "to-trading" else registry.move_from_trading
    change: HoldingChange = await mover(
        a.account_id, a.instrument, a.quantity, request_id=run.request_id
    )
    note = "" if a.direction == "to-trading" else " (pending until the exchange approves)"
    run.out.emit(
        change,
        f"move {change.operation_id}: {a.quantity:,} t {a.direction}{note}\n"
        f"{_holding_line(change.holding)}",
    )
    return 0


def register(commands: argparse._SubParsersAction[CommandParser], parents: Parents) -> None:
    """Add ``accounts``, ``holdings`` and ``move``."""
    group = commands.add_parser("accounts", help="registry accounts: list, show, open")
    sub = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    leaf(sub, "list", list_accounts, parents, help="every account")
    show = leaf(sub, "show", show_account, parents, help="one account and its holdings")
    show.add_argument("account_id", metavar="ID", type=arguments.identifier)
    opened = leaf(sub, "open", open_account, parents, mutating=True, help="open an account")
    opened.add_argument("account_id", metavar="ID", type=arguments.identifier)
    opened.add_argument("--kind", required=True, choices=KINDS)
    opened.add_argument("--name", required=True)

    held = leaf(
        commands,
        "holdings",
        show_holdings,
        parents,
        help="an account's holdings, now or as of a registry log position",
    )
    held.add_argument("account_id", metavar="ACCOUNT", type=arguments.identifier)
    held.add_argument("--as-of", type=arguments.position, metavar="POSITION")

    group = commands.add_parser("move", help="move allowances to or from trading")
    sub = group.add_subparsers(dest="direction", required=True, metavar="DIRECTION")
    for direction, text in (
        ("to-trading", "registry position → trading position"),
        ("from-trading", "trading position → registry position"),
    ):
        moved = leaf(sub, direction, move, parents, mutating=True, help=text)
        moved.add_argument("account_id", metavar="ACCOUNT", type=arguments.identifier)
        moved.add_argument("instrument", metavar="INSTRUMENT")
        moved.add_argument("quantity", metavar="QUANTITY", type=arguments.quantity)
