"""Run a service in the test's event loop on real PostgreSQL and Kafka, on port 0."""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from cqx_bus import KafkaAccess
from cqx_service import RuntimeSettings, ServiceRuntime
from cqx_service.runtime import Build
from tests.support.pki import pki_dir

STOP_SECONDS = 30.0


def settings_for(
    service: str,
    database_url: str,
    kafka_admin: KafkaAccess,
    namespace: str,
    *,
    four_eyes: str = "off",
) -> RuntimeSettings:
    """Settings for a test: its own namespace (schema, topics and Kafka user), an ephemeral
    port; given the broker's administrator, the service provisions its own Kafka user. Four
    eyes are off unless a test asks (``four_eyes``: the ``CQX_FOUR_EYES`` value)."""
    return RuntimeSettings.from_env(
        service,
        0,
        {
            "CQX_DATABASE_URL": database_url,
            "CQX_KAFKA_BOOTSTRAP": kafka_admin.bootstrap,
            "CQX_KAFKA_ADMIN_USERNAME": kafka_admin.credentials.username,
            "CQX_KAFKA_ADMIN_PASSWORD": kafka_admin.credentials.password,
            "CQX_NAMESPACE": f"{namespace}_",
            "CQX_GRACE_SECONDS": "1",
            "CQX_PKI_DIR": str(pki_dir()),
            "CQX_FOUR_EYES": four_eyes,
        },
    )


@contextlib.asynccontextmanager
async def running(
    settings: RuntimeSettings,
    build: Build,
    migrations: Path | None = None,
    *,
    runtime_type: Callable[..., ServiceRuntime] = ServiceRuntime,
) -> AsyncIterator[ServiceRuntime]:
    """Start the service, wait until it serves, yield it; stop it afterwards (a toy service
    of a runtime test passes its own ``runtime_type``: :mod:`tests.support.toy`)."""
    runtime = runtime_type(settings, build, migrations=migrations)
    task = asyncio.create_task(runtime.run())
    ready = asyncio.create_task(runtime.ready.wait())
    done, _ = await asyncio.wait([task, ready], timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        ready.cancel()
        task.result()  # raises what stopped it
    assert ready in done, "the service did not start within 60 s"
    try:
        yield runtime
    finally:
        task.cancel()
        stopped, _ = await asyncio.wait([task], timeout=STOP_SECONDS)
        if not stopped:  # say so, rather than stall the suite until pytest's timeout
            warnings.warn(
                f"{settings.service} did not stop within {STOP_SECONDS:.0f} s of its cancellation",
                stacklevel=1,
            )
