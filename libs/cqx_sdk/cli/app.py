"""Run one ``cqx`` command: parse, call, print; exit 0, 1 (refused, unreachable) or 2 (usage)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from cqx_sdk.channels import SERVICES, Addresses
from cqx_sdk.cli.arguments import USAGE_ERROR, UsageError
from cqx_sdk.cli.invocation import Handler, Invocation
from cqx_sdk.cli.parser import build_parser
from cqx_sdk.cli.render import Output, error_line
from cqx_sdk.client import CqxClient
from cqx_sdk.errors import CqxApiError, InvalidValueError

REFUSED = 1
# A command line waits for a service that is starting up briefly, not for long.
CLI_ATTEMPTS = 3


async def run(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int:
    """Run the command ``argv`` (without the program name) and return its exit code.

    Output goes to ``sys.stdout``; errors are one line on ``sys.stderr``.
    """
    env = os.environ if environ is None else environ
    try:
        args = build_parser().parse_args(list(argv))
    except UsageError as error:
        error_line(f"{error}; see '{error.prog} --help'")
        return USAGE_ERROR
    except SystemExit as done:  # --help
        return done.code if isinstance(done, SystemExit) and isinstance(done.code, int) else 0
    addresses = Addresses.from_env(env).with_overrides(
        {service: getattr(args, service, None) for service in SERVICES}
    )
    handler: Handler = args.handler
    actor = getattr(args, "actor", None) or env.get("CQX_ACTOR") or None
    try:
        token = env.get("CQX_OPERATOR_TOKEN", "")  # from the given environment only
        async with CqxClient(
            addresses, actor, attempts=CLI_ATTEMPTS, operator_token=token
        ) as client:
            return await handler(Invocation(client, args, Output(bool(args.json)), env))
    except UsageError as error:
        error_line(str(error))
        return USAGE_ERROR
    except InvalidValueError as error:
        error_line(f"error: {error}")
        return USAGE_ERROR
    except CqxApiError as error:
        error_line(error.one_line())
        return REFUSED
