"""What ``python -m cqx_<service>`` does: read the settings once, then serve until SIGTERM;
``python -m cqx_<service> migrate`` runs the migration step alone (as the administrator,
``CQX_DATABASE_URL``) and exits.

A bad setting, or a schema the migration step has not brought to the code's version, is one
line on stderr and exit code 1. Logs are JSON lines on stderr, or text with
``CQX_LOG_FORMAT=text`` (:mod:`cqx_service.logs`). The event loop is uvloop's (libuv: less Python
per socket read and write, the service's hot path) unless ``CQX_EVENT_LOOP=asyncio``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import uvloop

from cqx_eventstore.migrate import MigrationError
from cqx_kernel.errors import CqxError, InvalidArgumentError
from cqx_service.logs import configure_logging, log_format
from cqx_service.runtime import Build, ServiceRuntime
from cqx_service.settings import RuntimeSettings


def serve(
    service: str,
    configure: Callable[[], tuple[RuntimeSettings, Build]],
    argv: Sequence[str] | None = None,
) -> int:
    """Run the service ``configure`` sets up (or, with the argument ``migrate``, its
    migration step); the process's exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args not in ([], ["migrate"]):
        print(f"usage: python -m cqx_{service} [migrate]", file=sys.stderr)
        return 2
    try:
        settings, build = configure()
        chosen = log_format()
    except CqxError as error:
        print(f"cqx-{service}: {error.message}", file=sys.stderr)
        return 1
    configure_logging(service, chosen)
    runtime = ServiceRuntime(settings, build)
    try:
        run_event_loop(_migrate(runtime) if args else runtime.run())
    except (InvalidArgumentError, MigrationError) as error:
        print(f"cqx-{service}: {error.message}", file=sys.stderr)
        return 1
    return 0


async def _migrate(runtime: ServiceRuntime) -> None:
    applied = await runtime.migrate()
    s = runtime.settings
    done = " ".join(applied) or "none"
    print(f"cqx-{s.service}: schema {s.schema} up to date; applied now: {done}")


def run_event_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` to completion on uvloop (or asyncio's own loop, if asked for)."""
    choice = os.environ.get("CQX_EVENT_LOOP", "uvloop").strip() or "uvloop"
    if choice not in ("uvloop", "asyncio"):
        main.close()
        raise InvalidArgumentError(f"CQX_EVENT_LOOP is uvloop or asyncio, not {choice!r}")
    if choice == "asyncio":
        asyncio.run(main)
        return
    uvloop.run(main)
