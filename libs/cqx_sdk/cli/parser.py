"""The ``cqx`` argument tree: global options, then a subcommand (and its action)."""

from __future__ import annotations

import argparse

from cqx_sdk.channels import SERVICES
from cqx_sdk.cli import arguments
from cqx_sdk.cli.arguments import CommandParser
from cqx_sdk.cli.commands import accounts, audit, cash, deals, market, orders
from cqx_sdk.cli.invocation import Parents

DESCRIPTION = """\
The CQX command line: accounts, holdings, cash, orders, block deals, biddings, the book,
trades and settlement.
Prices are CNY per tonne (74.63), amounts CNY (1000000.00), quantities whole tonnes.
Readable tables by default; --json prints one JSON document for scripts."""


def _global_options(parser: CommandParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    for service in SERVICES:
        parser.add_argument(
            f"--{service}",
            type=arguments.address,
            metavar="HOST:PORT",
            help=f"the {service} service (default: $CQX_{service.upper()}_ADDRESS)",
        )
    parser.add_argument("--actor", help="who acts (recorded with the events; default $CQX_ACTOR)")


def build_parser() -> CommandParser:
    """The whole parser; each leaf sets ``handler``. The global options are accepted before
    the subcommand and after it."""
    parser = CommandParser(
        prog="cqx", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _global_options(parser)
    common = CommandParser(add_help=False, argument_default=argparse.SUPPRESS)
    _global_options(common)
    mutating = CommandParser(add_help=False, parents=[common], argument_default=argparse.SUPPRESS)
    mutating.add_argument("--request-id", help="idempotency key (a retry with it never runs twice)")
    parents = Parents(common, mutating)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for area in (accounts, cash, orders, deals, market, audit):
        area.register(commands, parents)
    return parser
