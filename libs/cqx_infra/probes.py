"""Readiness: a service is ready when it answers a real request, not when its port opens.

PostgreSQL must run ``SELECT 1``; Kafka must admit the administrator and answer a metadata
request naming at least one broker. The probes are blocking (each runs its own event loop)
and never raise.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from cqx_bus.access import KafkaAccess
from cqx_infra.errors import InfraAbortedError, InfraStartError
from cqx_infra.processes import ServerProcess, log_tail

POLL_SECONDS = 0.2
T = TypeVar("T")


def _run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on a fresh event loop; in a helper thread if this one runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1, thread_name_prefix="cqx-infra-probe") as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _select_one(database_url: str, seconds: float) -> bool:
    async with asyncio.timeout(seconds):
        connection = await asyncpg.connect(database_url)
        try:
            return bool(await connection.fetchval("SELECT 1") == 1)
        finally:
            await connection.close()


async def _broker_count(access: KafkaAccess, seconds: float) -> int:
    admin = AIOKafkaAdminClient(**access.client_options(), request_timeout_ms=int(seconds * 1000))
    try:
        async with asyncio.timeout(seconds * 2):
            await admin.start()
            cluster = await admin.describe_cluster()
        return len(cluster["brokers"])
    finally:
        await admin.close()


def postgres_answers(database_url: str, timeout: float = 3.0) -> bool:
    """Whether the PostgreSQL at ``database_url`` runs ``SELECT 1`` within ``timeout`` s."""
    try:
        return _run_blocking(_select_one(database_url, timeout))
    except Exception:  # any failure means "not ready (yet)"; the caller decides when to give up
        return False


def kafka_answers(access: KafkaAccess, timeout: float = 5.0) -> bool:
    """Whether the Kafka at ``access.bootstrap`` admits ``access``'s principal and answers its
    metadata request within ``timeout`` s."""
    try:
        brokers = _run_blocking(_broker_count(access, timeout))
    except Exception:  # as above: not ready (yet)
        return False
    return brokers > 0


def wait_ready(
    name: str,
    probe: Callable[[], bool],
    *,
    timeout: float,
    process: ServerProcess | None = None,
    abort: threading.Event | None = None,
) -> None:
    """Poll ``probe`` until it succeeds; raise if ``process`` exits, time runs out or
    ``abort`` is set (a sibling service failed)."""
    deadline = time.monotonic() + timeout
    while True:
        if abort is not None and abort.is_set():
            raise InfraAbortedError(f"{name}: start abandoned because another service failed")
        if process is not None and (code := process.exit_code()) is not None:
            raise _start_error(name, f"exited with code {code} during start-up", process)
        if probe():
            return
        if time.monotonic() >= deadline:
            raise _start_error(name, f"did not answer within {timeout:g} s", process)
        time.sleep(POLL_SECONDS)


def _start_error(name: str, what: str, process: ServerProcess | None) -> InfraStartError:
    if process is None:
        return InfraStartError(f"{name} {what}", metadata={"service": name})
    tail = log_tail(process.log_path)
    return InfraStartError(
        f"{name} {what}; from its log {process.log_path}:\n{tail}",
        metadata={"service": name, "log": str(process.log_path)},
    )
