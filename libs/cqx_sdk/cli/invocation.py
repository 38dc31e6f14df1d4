"""What a command handler gets: the client, its parsed arguments and where to print."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from cqx_sdk.cli.arguments import CommandParser
from cqx_sdk.cli.render import Output
from cqx_sdk.client import CqxClient


@dataclass(frozen=True)
class Invocation:
    """One run of a command."""

    client: CqxClient
    args: argparse.Namespace
    out: Output
    environ: Mapping[str, str]

    @property
    def request_id(self) -> str | None:
        """``--request-id`` of a mutating command (``None``: a fresh one per call)."""
        value: str | None = getattr(self.args, "request_id", None)
        return value


Handler = Callable[[Invocation], Awaitable[int]]


@dataclass(frozen=True)
class Parents:
    """Options every leaf command takes (``common``), and those of mutating ones."""

    common: CommandParser
    mutating: CommandParser


def leaf(
    group: argparse._SubParsersAction[CommandParser],
    name: str,
    handler: Handler,
    parents: Parents,
    *,
    mutating: bool = False,
    help: str,
) -> CommandParser:
    """Add the subcommand ``name`` run by ``handler``, with the shared options."""
    parent = parents.mutating if mutating else parents.common
    parser = group.add_parser(name, parents=[parent], help=help, description=help)
    parser.set_defaults(handler=handler)
    return parser
