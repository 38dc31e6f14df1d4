"""The ``cqx`` command tree: the global flags on the root, then a command (and its action)."""

from __future__ import annotations

import click

from cqx_sdk.cli.commands import (
    accounts,
    approvals,
    audit,
    cash,
    deals,
    market,
    orders,
    participants,
)
from cqx_sdk.cli.globals import global_options

DESCRIPTION = """\
The CQX command line: participants, accounts, holdings, cash, orders, block deals, biddings,
the book, trades and settlement.

\b
Prices are CNY per tonne (74.63), amounts CNY (1000000.00), quantities whole tonnes.
The global flags below may come before the command or after it (after it wins)."""

EPILOG = """\
\b
Output modes (-o): table, for people (the default); json, one JSON document with units in
its keys (price_fen 7463 beside price_cny "74.63", quantity_t, RFC 3339 times), errors
too (on stderr); wide, every field of the answer in tables.
Exit codes: 0 done, 1 refused by CQX or a service unreachable, 2 a bad command line.
Shell completion (bash): eval "$(_CQX_COMPLETE=bash_source cqx)" (zsh_source,
fish_source for zsh and fish). More in docs/cli.md."""

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def build_cli() -> click.Group:
    """The whole tree; each leaf's callback returns the :class:`~cqx_sdk.cli.invocation.Call`
    to await."""
    root = click.Group(
        "cqx",
        help=DESCRIPTION,
        epilog=EPILOG,
        params=global_options(),
        context_settings=CONTEXT,
        no_args_is_help=False,
    )
    click.version_option(package_name="cqx", prog_name="cqx")(root)
    for area in (participants, accounts, cash, orders, deals, market, approvals, audit):
        area.register(root)
    return root
