"""The allocation service run in-process on real PostgreSQL and Kafka, and how to talk to it."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from cqx.allocation.v1 import allocation_service_pb2_grpc as api_grpc
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.registry.v1 import events_pb2 as registry_pb2

from cqx_allocation.bootstrap import build
from cqx_eventstore.postgres import PostgresEventStore
from cqx_service import RuntimeSettings
from tests.support.as_owner import AsOwner
from tests.support.bus import first_published, publish_to
from tests.support.service_harness import running


@dataclass
class Allocation:
    """A running allocation service: its stub, its settings and a reader of its store."""

    stub: AsOwner[api_grpc.AllocationServiceStub]
    settings: RuntimeSettings
    store: PostgresEventStore

    async def event_types(self, stream: str) -> list[str]:
        """The short type names of a stream's recorded events, in order."""
        return [e.event_type.rsplit(".", 1)[1] for e in await self.store.read_stream(stream)]

    async def head(self) -> int:
        """The last recorded position."""
        position, _ = await self.store.head()
        return position


@contextlib.asynccontextmanager
async def allocation_service(settings: RuntimeSettings) -> AsyncIterator[Allocation]:
    """Start the service (port 0), yield it with a channel open; stop it afterwards."""
    async with running(settings, build) as runtime:
        store = await PostgresEventStore.connect(settings.database_url, settings.schema)
        try:
            stub = AsOwner(api_grpc.AllocationServiceStub, f"127.0.0.1:{runtime.port}")
            try:
                yield Allocation(stub, settings, store)
            finally:
                await stub.close()
        finally:
            await store.close()


def rid() -> str:
    """A fresh request id."""
    return str(uuid.uuid4())


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 20) -> None:
    """Wait until ``check`` holds (asserting it does within ``within`` seconds)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def surrender_envelope(
    account_id: str, tonnes: int, year: int, *, position: int = 1
) -> EventEnvelope:
    """A registry AllowancesSurrendered as it travels on the registry's topic."""
    surrendered = registry_pb2.AllowancesSurrendered(
        surrender_id=str(uuid.uuid4()), account_id=account_id, instrument=f"CEA-{year}",
        quantity_tonnes=tonnes, compliance_year=year,
    )  # fmt: skip
    return EventEnvelope(
        source="registry", position=position, stream_id=f"account-{account_id}",
        stream_version=position, event_id=str(uuid.uuid4()),
        event_type="cqx.registry.v1.AllowancesSurrendered",
        payload=surrendered.SerializeToString(), metadata={"correlation_id": "corr-1"},
    )  # fmt: skip


async def publish(settings: RuntimeSettings, *envelopes: EventEnvelope) -> None:
    """Put envelopes on the registry's topic, as the registry's relay would."""
    await publish_to(settings, "registry", envelopes)


async def published(
    settings: RuntimeSettings, wanted: Callable[[EventEnvelope], bool]
) -> EventEnvelope:
    """The first envelope on the service's own topic that is ``wanted`` (waits up to 20 s)."""
    return await first_published(settings, "allocation", wanted)
