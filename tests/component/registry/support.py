"""The registry run in-process on real PostgreSQL and Kafka, and how to talk to it."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import grpc
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.registry.v1 import events_pb2 as events
from cqx.registry.v1 import registry_service_pb2 as api
from cqx.registry.v1 import registry_service_pb2_grpc as api_grpc
from google.protobuf.message import Message

from cqx_grpc import error_info
from cqx_registry.adapters.holdings_projector import HoldingsProjector
from cqx_registry.application.app import RegistryApplication
from cqx_registry.bootstrap import RegistryAssembly, assemble
from cqx_service import RuntimeSettings, ServiceContext, Wiring
from tests.support import pki
from tests.support.as_owner import AsOwner
from tests.support.bus import first_published, publish_to
from tests.support.service_harness import running

CEA = "CEA-2024"


@dataclass
class Registry:
    """A running registry: its stub, settings and in-process application."""

    stub: AsOwner[api_grpc.RegistryServiceStub]
    settings: RuntimeSettings
    app: RegistryApplication
    channel: grpc.aio.Channel
    projector: HoldingsProjector | None = None

    async def head(self) -> int:
        """The last recorded position."""
        position, _ = await self.app.store.head()
        return position

    async def event_types(self, after: int = 0) -> list[str]:
        """The short type names of the events recorded after ``after``."""
        return [e.event_type.rsplit(".", 1)[1] async for e in self.app.store.read_all(after)]

    async def recorded(self, after: int, *wanted: str) -> None:
        """Wait until the events ``wanted`` (short type names) are recorded after ``after``.

        Holdings in memory change when an event is decided, a moment before it is committed;
        a test that goes on to read the log or the projection waits for the commit.
        """

        async def all_there() -> bool:
            found = await self.event_types(after)
            return all(found.count(name) >= wanted.count(name) for name in wanted)

        await eventually(all_there)

    async def holding(self, account_id: str, instrument: str = CEA) -> api.Holding:
        """One holding as GetHoldings shows it now (zero if none)."""
        reply = await self.stub.GetHoldings(api.GetHoldingsRequest(account_id=account_id))
        found = [h for h in reply.holdings if h.instrument == instrument]
        return found[0] if found else api.Holding(account_id=account_id, instrument=instrument)

    async def register(
        self, participant_id: str, kind: int = events.PARTICIPANT_KIND_KEY_EMISSION_UNIT
    ) -> api.Participant:
        """Register a participant (a key emission unit unless told otherwise)."""
        request = api.RegisterParticipantRequest(
            request_id=rid(), participant_id=participant_id, kind=kind, name=participant_id
        )
        return (await self.stub.RegisterParticipant(request)).participant

    async def open(self, account_id: str, name: str = "Company") -> None:
        """Open a covered entity's account, for a key emission unit of the same id."""
        await self.register(account_id)
        kind = events.ACCOUNT_KIND_COVERED_ENTITY
        await self.stub.OpenAccount(
            api.OpenAccountRequest(
                request_id=rid(),
                account_id=account_id,
                kind=kind,
                name=name,
                participant_id=account_id,
            )
        )


@contextlib.asynccontextmanager
async def registry_service(settings: RuntimeSettings) -> AsyncIterator[Registry]:
    """Start the registry (port 0), yield it with a channel open; stop it afterwards."""
    built: list[RegistryAssembly] = []

    async def build(context: ServiceContext) -> Wiring:
        assembly = await assemble(context)
        built.append(assembly)
        return assembly.wiring

    async with running(settings, build) as runtime:
        address = f"127.0.0.1:{runtime.port}"
        stub = AsOwner(api_grpc.RegistryServiceStub, address)
        async with pki.channel(address, pki.operator()) as channel:
            last = built[-1]
            try:
                yield Registry(stub, settings, last.app, channel, last.projector)
            finally:
                await stub.close()


def rid() -> str:
    """A fresh request id."""
    return str(uuid.uuid4())


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 20) -> None:
    """Wait until ``check`` holds (asserting it does within ``within`` seconds)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def refusal(call: Awaitable[object]) -> tuple[grpc.StatusCode, str]:
    """The status code and ErrorInfo reason a call fails with."""
    try:
        await call
    except grpc.aio.AioRpcError as error:
        info = error_info(error)
        return error.code(), info.reason if info else ""
    raise AssertionError("the call succeeded")


def envelope(source: str, stream_id: str, message: Message) -> EventEnvelope:
    """A foreign event as its context's relay would publish it."""
    return EventEnvelope(
        source=source,
        position=1,
        stream_id=stream_id,
        stream_version=1,
        event_id=str(uuid.uuid4()),
        event_type=message.DESCRIPTOR.full_name,
        payload=message.SerializeToString(),
        metadata={"correlation_id": "corr-1"},
    )


async def publish(settings: RuntimeSettings, context: str, *envelopes: EventEnvelope) -> None:
    """Put envelopes on ``context``'s topic (each twice: redelivery must be harmless)."""
    await publish_to(settings, context, envelopes, times=2)


async def published(
    settings: RuntimeSettings, wanted: Callable[[EventEnvelope], bool]
) -> EventEnvelope:
    """The first envelope on the registry's topic that is ``wanted`` (waits up to 20 s)."""
    return await first_published(settings, "registry", wanted)
