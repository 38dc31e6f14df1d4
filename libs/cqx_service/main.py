"""What ``python -m cqx_<service>`` does: read the settings once, then serve until SIGTERM.

A bad setting is one line on stderr and exit code 1. Logs are JSON lines on stderr, or text
with ``CQX_LOG_FORMAT=text`` (:mod:`cqx_service.logs`). The event loop is uvloop's (libuv: less
Python per socket read and write, the service's hot path) unless ``CQX_EVENT_LOOP=asyncio``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import uvloop

from cqx_kernel.errors import CqxError, InvalidArgumentError
from cqx_service.logs import configure_logging, log_format
from cqx_service.runtime import Build, ServiceRuntime
from cqx_service.settings import RuntimeSettings


def serve(service: str, configure: Callable[[], tuple[RuntimeSettings, Build]]) -> int:
    """Run the service ``configure`` sets up; the process's exit code."""
    try:
        settings, build = configure()
        chosen = log_format()
    except CqxError as error:
        print(f"cqx-{service}: {error.message}", file=sys.stderr)
        return 1
    configure_logging(service, chosen)
    try:
        run_event_loop(ServiceRuntime(settings, build, migrations=None).run())
    except InvalidArgumentError as error:
        print(f"cqx-{service}: {error.message}", file=sys.stderr)
        return 1
    return 0


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
