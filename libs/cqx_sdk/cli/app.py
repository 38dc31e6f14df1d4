"""Run one ``cqx`` command: parse (Click), call, print; exit 0, 1 (refused, unreachable) or
2 (usage)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import SimpleNamespace

import click

from cqx_sdk.cli import problems
from cqx_sdk.cli.arguments import USAGE_ERROR
from cqx_sdk.cli.globals import connection, mode_in, output_mode
from cqx_sdk.cli.invocation import Call, Invocation
from cqx_sdk.cli.render import Output
from cqx_sdk.cli.tree import build_cli
from cqx_sdk.client import CqxClient
from cqx_sdk.errors import CqxApiError, InvalidValueError

REFUSED = 1
# A command line waits for a service that is starting up briefly, not for long.
CLI_ATTEMPTS = 3


def parse(argv: Sequence[str]) -> Call | int:
    """The call ``argv`` asks for, or the exit code of ``--help``/``--version`` (printed
    already); a bad command line raises :class:`click.ClickException`."""
    cli = build_cli()
    try:
        with cli.make_context("cqx", list(argv)) as ctx:
            call = cli.invoke(ctx)
    except click.exceptions.Exit as done:
        return done.exit_code
    assert isinstance(call, Call), "every leaf command returns its Call"
    return call


async def run(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int:
    """Run the command ``argv`` (without the program name) and return its exit code.

    Answers go to ``sys.stdout``; a failure is one line (or, under ``-o json``, one JSON
    document) on ``sys.stderr``.
    """
    env = os.environ if environ is None else environ
    mode = mode_in(argv)
    try:
        call = parse(argv)
        if isinstance(call, int):
            return call
        mode = output_mode(call.params) or output_mode(call.before) or "table"
        flags = call.merged()
        where = connection(flags, env)
        args = SimpleNamespace(**flags)

        def connect() -> CqxClient:
            return CqxClient(where.addresses, where.credentials(), attempts=CLI_ATTEMPTS)

        invocation = Invocation(connect, args, Output(mode), env)
        try:
            return await call.handler(invocation)
        finally:
            await invocation.close()
    except click.ClickException as error:
        problems.usage(error, USAGE_ERROR).show(mode)
        return USAGE_ERROR
    except InvalidValueError as error:
        problems.bad_value(error, USAGE_ERROR).show(mode)
        return USAGE_ERROR
    except CqxApiError as error:
        problems.refused(error, REFUSED).show(mode)
        return REFUSED
