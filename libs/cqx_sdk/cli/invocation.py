"""What a command handler gets (the client, its arguments, where to print), and how a leaf
command is declared: Click parses, the leaf's callback only says which handler to await."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import click

from cqx_sdk.cli.globals import global_options
from cqx_sdk.cli.render import Output
from cqx_sdk.client import CqxClient


@dataclass
class Invocation:
    """One run of a command; ``args`` holds its parameters by name (``args.account_id``).

    The client is made on first use (``connect``), so that a command line that is wrong is
    told so before anyone is asked for credentials."""

    connect: Callable[[], CqxClient]
    args: SimpleNamespace
    out: Output
    environ: Mapping[str, str]
    _client: CqxClient | None = field(default=None, init=False, repr=False)

    @property
    def client(self) -> CqxClient:
        """The client, connected as the chosen credential's principal."""
        if self._client is None:
            self._client = self.connect()
        return self._client

    async def close(self) -> None:
        """Close the client, if one was made."""
        if self._client is not None:
            await self._client.close()

    @property
    def request_id(self) -> str | None:
        """``--request-id`` of a mutating command (``None``: a fresh one per call)."""
        value: str | None = getattr(self.args, "request_id", None)
        return value


Handler = Callable[[Invocation], Awaitable[int]]
# The global flags are hidden in a leaf's help (documented once, at the top), but named.
LEAF_EPILOG = """\b
The global flags may come here too (see 'cqx --help'): -o/--output, --json,
--registry, --allocation, --matching, --settlement, --as{}."""
_NEGATIVE_NUMBER = re.compile(r"^-[0-9][0-9.,]*$")


class LeafCommand(click.Command):
    """A command that reads ``-5`` as a (negative, so refused) value rather than as an
    unknown option, as long as it has no option named like that: the user then learns
    what is wrong with the value."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse, letting negative numbers through as values."""
        if any(_NEGATIVE_NUMBER.match(a) for a in args) and self._only_numbers_unknown(ctx, args):
            ctx.ignore_unknown_options = True
        return super().parse_args(ctx, args)

    def _only_numbers_unknown(self, ctx: click.Context, args: list[str]) -> bool:
        known = {o for p in self.get_params(ctx) for o in (*p.opts, *p.secondary_opts)}
        for word in args:
            if word == "--":
                break
            if not word.startswith("-") or _NEGATIVE_NUMBER.match(word):
                continue
            if word.split("=", 1)[0] not in known and word[:2] not in known:
                return False
        return True


@dataclass(frozen=True)
class Call:
    """What the command line asked for: ``handler`` with the leaf's parameters, global
    options included (given after the command, they win over those given before it)."""

    handler: Handler
    params: dict[str, Any]
    before: dict[str, Any] = field(default_factory=dict)

    def merged(self) -> dict[str, Any]:
        """The leaf's parameters, a global flag it was not given taken from before it."""
        given = {k: v for k, v in self.params.items() if v not in (None, False)}
        return {**self.params, **self.before, **given}


def group(parent: click.Group, name: str, help: str) -> click.Group:
    """A command of actions (``cqx order`` of ``cqx order place``)."""
    child = click.Group(name, help=help, short_help=help, no_args_is_help=False)
    parent.add_command(child)
    return child


def leaf(
    group: click.Group,
    name: str,
    handler: Handler,
    params: Sequence[click.Parameter] = (),
    *,
    mutating: bool = False,
    help: str,
    exclusive: Sequence[tuple[str, ...]] = (),
    one_of: Sequence[tuple[str, ...]] = (),
) -> click.Command:
    """Add the command ``name`` run by ``handler``, with ``params`` and the global options.

    ``exclusive``: groups of flags of which at most one may be given; ``one_of``: groups of
    which exactly one must be given (both are named by their parameter names).
    """

    def callback(**values: Any) -> Call:
        ctx = click.get_current_context()
        for names in exclusive:
            _at_most_one(ctx, values, names, required=False)
        for names in one_of:
            _at_most_one(ctx, values, names, required=True)
        root = ctx.find_root()
        return Call(handler, values, dict(root.params))

    command = LeafCommand(
        name,
        callback=callback,
        params=[*params, *global_options(mutating=mutating, hidden=True)],
        help=help,
        short_help=help,
        epilog=LEAF_EPILOG.format(", --request-id" if mutating else ""),
    )
    group.add_command(command)
    return command


def _at_most_one(
    ctx: click.Context, values: Mapping[str, Any], names: tuple[str, ...], *, required: bool
) -> None:
    flags = [_flag(ctx, n) for n in names]
    given = [flag for n, flag in zip(names, flags, strict=True) if values.get(n)]
    if len(given) > 1:
        raise click.UsageError(f"{given[0]} is not allowed with {given[1]}", ctx)
    if required and not given:
        raise click.UsageError(f"give one of {', '.join(flags)}", ctx)


def _flag(ctx: click.Context, name: str) -> str:
    for param in ctx.command.params:
        if param.name == name and param.opts:
            return max(param.opts, key=len)
    return name
