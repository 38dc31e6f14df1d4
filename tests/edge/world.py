"""The four real services, each in its own namespace on the real PostgreSQL and Kafka.

Each service gets a namespace of its own (schema and topics), so no service consumes another's
events while the property test runs: whatever a service's log records after a call was caused
by that call (or by an earlier one's follow-up, which :meth:`Service.quiet_head` waits out).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any

import grpc
from cqx.allocation.v1 import allocation_service_pb2 as allocation
from cqx.matching.v1 import matching_service_pb2 as matching
from cqx.registry.v1 import events_pb2 as registry_events
from cqx.registry.v1 import registry_service_pb2 as registry
from cqx.settlement.v1 import settlement_service_pb2 as settlement
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cqx_allocation.bootstrap import build as build_allocation
from cqx_bus import KafkaAccess
from cqx_eventstore.model import RecordedEvent
from cqx_eventstore.postgres import PostgresEventStore
from cqx_kernel.clock import FixedClock
from cqx_matching.bootstrap import builder as matching_builder
from cqx_matching.config import MatchingSettings
from cqx_registry.bootstrap import build as build_registry
from cqx_service import RuntimeSettings
from cqx_service.runtime import Build
from cqx_settlement.bootstrap import build as build_settlement
from tests.support.service_harness import running, settings_for

SHANGHAI = timezone(timedelta(hours=8))
MONDAY = "2025-03-03"
MONDAY_MORNING = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)
MONDAY_MORNING_US = int(MONDAY_MORNING.timestamp()) * 1_000_000

# What the generated requests draw their plausible values from: what the seed created.
ACCOUNTS = ("edge-a", "edge-b")
ENTITY = "edge-entity"
YEAR = 2030
INSTRUMENT = "CEA-2024"


@dataclass(frozen=True)
class ServiceSpec:
    """One of the four services: its name, generated API module and composition root."""

    name: str
    api: ModuleType
    build: Build


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("registry", registry, build_registry),
    ServiceSpec("allocation", allocation, build_allocation),
    ServiceSpec(
        "matching", matching, matching_builder(MatchingSettings(), clock=FixedClock(MONDAY_MORNING))
    ),
    ServiceSpec("settlement", settlement, build_settlement),
)


@dataclass
class Service:
    """A running service: its channel, its API's descriptor and a reader of its log."""

    spec: ServiceSpec
    channel: grpc.aio.Channel
    store: PostgresEventStore
    used_request_ids: dict[str, str] = field(default_factory=dict, repr=False)  # id → RPC

    @property
    def descriptor(self) -> Any:
        """The service's ServiceDescriptor (its only service)."""
        [service] = self.spec.api.DESCRIPTOR.services_by_name.values()
        return service

    async def call(self, method: str, request: bytes, metadata: Sequence[tuple[str, str]]) -> Any:
        """Send raw bytes to ``method``; the reply's bytes (raises ``AioRpcError``)."""
        path = f"/{self.descriptor.full_name}/{method}"
        stub = self.channel.unary_unary(path)  # bytes in, bytes out: garbage can be sent
        return await stub(request, metadata=metadata, timeout=15)

    async def head(self) -> int:
        """The last recorded position of the service's log."""
        position, _ = await self.store.head()
        return position

    async def quiet_head(self) -> int:
        """The head once it stopped moving for a moment (a follow-up of an earlier call)."""
        head = await self.head()
        while True:
            await asyncio.sleep(0.02)
            again = await self.head()
            if again == head:
                return head
            head = again

    async def recorded_after(self, position: int) -> list[RecordedEvent]:
        """The events recorded after ``position``."""
        return [event async for event in self.store.read_all(position)]

    async def serving(self) -> str:
        """What the health service says of the whole server."""
        stub = health_pb2_grpc.HealthStub(self.channel)
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


@contextlib.asynccontextmanager
async def four_services(
    database_url: str, kafka_admin: KafkaAccess
) -> AsyncIterator[list[Service]]:
    """Start the four services at once (each in its own namespace), seed them, yield them."""
    stop = asyncio.Event()
    started: list[asyncio.Future[Service]] = []
    tasks = []
    for spec in SERVICES:
        namespace = f"edge_{spec.name[:4]}_{secrets.token_hex(3)}"
        settings = settings_for(spec.name, database_url, kafka_admin, namespace)
        started.append(asyncio.get_running_loop().create_future())
        tasks.append(asyncio.create_task(_serve(spec, settings, started[-1], stop)))
    try:
        services = list(await asyncio.gather(*started))
        await seed(services)
        yield services
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _serve(
    spec: ServiceSpec, settings: RuntimeSettings, started: asyncio.Future[Service], stop: Any
) -> None:
    """Run one service until ``stop`` is set; its :class:`Service` goes to ``started``."""
    try:
        async with running(settings, spec.build) as runtime:
            store = await PostgresEventStore.connect(settings.database_url, settings.schema)
            try:
                async with grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
                    started.set_result(Service(spec, channel, store))
                    await stop.wait()
            finally:
                await store.close()
    except BaseException as error:
        if not started.done():
            started.set_exception(error)
        raise


def rid() -> str:
    """A fresh request id."""
    return str(uuid.uuid4())


async def seed(services: Sequence[Service]) -> None:
    """Something for the generated requests to find: participants and their accounts, an
    entity and an open year, an instrument open for trading, cash."""
    by_name = {service.spec.name: service for service in services}

    async def send(service: str, method: str, request: Any) -> None:
        await by_name[service].call(method, request.SerializeToString(), ())

    for account in ACCOUNTS:
        member = registry_events.PARTICIPANT_KIND_KEY_EMISSION_UNIT
        await send("registry", "RegisterParticipant", registry.RegisterParticipantRequest(
            request_id=rid(), participant_id=account, kind=member, name=account))  # fmt: skip
        kind = registry_events.ACCOUNT_KIND_COVERED_ENTITY
        opened = registry.OpenAccountRequest(
            request_id=rid(), account_id=account, kind=kind, participant_id=account
        )
        opened.name = account
        await send("registry", "OpenAccount", opened)
        deposit = settlement.DepositFundsRequest(
            request_id=rid(), account_id=account, amount_fen=1_000_000
        )
        await send("settlement", "DepositFunds", deposit)
    await send("allocation", "OpenComplianceYear", allocation.OpenComplianceYearRequest(
        request_id=rid(), year=YEAR))  # fmt: skip
    await send("allocation", "RegisterEntity", allocation.RegisterEntityRequest(
        request_id=rid(), entity_id=ENTITY, account_id=ACCOUNTS[0], name="Edge Power",
        sector="power", province="Hubei"))  # fmt: skip
    await send("matching", "OpenTradingDay", matching.OpenTradingDayRequest(
        request_id=rid(), instrument=INSTRUMENT, trading_date=MONDAY,
        previous_close_fen=6_000))  # fmt: skip
