"""The four real services, each in its own namespace on the real PostgreSQL and Kafka, over
mutual TLS with the tests' authority.

Each service gets a namespace of its own (schema and topics), so no service consumes another's
events while the property test runs: whatever a service's log records after a call was caused
by that call (or by an earlier one's follow-up, which :meth:`Service.quiet_head` waits out).
One thing crosses namespaces, once, in :func:`seed`: the registry's ``AccountOpened`` events
of the seeded accounts, put on the other services' registry topics as the registry's relay
puts them on its own, so that allocation, matching and settlement learn who owns the seeded
accounts as they do in a deployment (and a member's call on its own account reaches their
rules instead of being refused NOT_YOUR_ACCOUNT).

A call is made as a principal (:mod:`tests.support.pki`): each service keeps a channel per
principal that called it.
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
from cqx.approvals.v1 import approvals_pb2 as approvals
from cqx.matching.v1 import matching_service_pb2 as matching
from cqx.registry.v1 import events_pb2 as registry_events
from cqx.registry.v1 import registry_service_pb2 as registry
from cqx.settlement.v1 import settlement_service_pb2 as settlement
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cqx_allocation.bootstrap import build as build_allocation
from cqx_bus import KafkaAccess
from cqx_bus.envelope import from_recorded
from cqx_eventstore.model import RecordedEvent
from cqx_eventstore.postgres import PostgresEventStore
from cqx_grpc import error_info
from cqx_identity import TlsFiles
from cqx_kernel.clock import FixedClock
from cqx_matching.bootstrap import builder as matching_builder
from cqx_matching.config import MatchingSettings
from cqx_registry.bootstrap import build as build_registry
from cqx_service import RuntimeSettings
from cqx_service.runtime import Build
from cqx_settlement.bootstrap import build as build_settlement
from tests.support import pki
from tests.support.bus import publish_to
from tests.support.service_harness import running, settings_for

SHANGHAI = timezone(timedelta(hours=8))
MONDAY = "2025-03-03"
MONDAY_MORNING = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)
MONDAY_MORNING_US = int(MONDAY_MORNING.timestamp()) * 1_000_000

# What the generated requests draw their plausible values from: what the seed created. Each
# account is its participant's only one, of the same id, and that participant's member is
# the credential of that name (tests/support/pki.py).
ACCOUNTS = ("edge-a", "edge-b")
ENTITY = "edge-entity"
YEAR = 2030
INSTRUMENT = "CEA-2024"
STRANGER = "edge-stranger"  # a member whose participant owns nothing here


@dataclass(frozen=True)
class ServiceSpec:
    """One of the four services: its name, the generated modules of the APIs it serves (its
    own first) and its composition root."""

    name: str
    apis: tuple[ModuleType, ...]
    build: Build


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("registry", (registry, approvals), build_registry),
    ServiceSpec("allocation", (allocation, approvals), build_allocation),
    ServiceSpec(
        "matching",
        (matching,),
        matching_builder(MatchingSettings(), clock=FixedClock(MONDAY_MORNING)),
    ),
    ServiceSpec("settlement", (settlement, approvals), build_settlement),
)


def principal_name(files: TlsFiles) -> str:
    """The name a credential was issued to (its files are ``NAME.crt``, ``NAME.key``)."""
    return files.cert.stem


@dataclass
class Service:
    """A running service: where it listens, its APIs' descriptors, a channel per principal
    and a reader of its log."""

    spec: ServiceSpec
    address: str
    settings: RuntimeSettings
    store: PostgresEventStore
    # (principal, request id) → the RPC it was first sent to (the journal's key is the pair)
    used_request_ids: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _channels: dict[str, grpc.aio.Channel] = field(default_factory=dict, repr=False)

    @property
    def apis(self) -> list[Any]:
        """The ServiceDescriptors of the APIs this server serves."""
        return [s for api in self.spec.apis for s in api.DESCRIPTOR.services_by_name.values()]

    def method(self, name: str) -> Any:
        """The MethodDescriptor of ``name`` among the server's APIs."""
        [found] = [api.methods_by_name[name] for api in self.apis if name in api.methods_by_name]
        return found

    def request_class(self, method: str) -> type[Message]:
        """The generated class of ``method``'s request."""
        return GetMessageClass(self.method(method).input_type)

    def path(self, method: str) -> str:
        """The full path of ``method``: ``/<package>.<Service>/<Method>``."""
        return f"/{self.method(method).containing_service.full_name}/{method}"

    def channel(self, files: TlsFiles) -> grpc.aio.Channel:
        """A channel to the service as ``files``' principal (one per principal, kept)."""
        name = principal_name(files)
        if name not in self._channels:
            self._channels[name] = pki.channel(self.address, files)
        return self._channels[name]

    async def call(
        self, method: str, request: bytes, metadata: Sequence[tuple[str, str]], files: TlsFiles
    ) -> Any:
        """Send raw bytes to ``method`` as ``files``' principal; the reply's bytes (raises
        ``AioRpcError``)."""
        stub = self.channel(files).unary_unary(self.path(method))  # bytes: garbage can be sent
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
        """What the health service says of the whole server (asked by the auditor: health
        is open to every authenticated principal)."""
        stub = health_pb2_grpc.HealthStub(self.channel(pki.auditor()))
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

    async def close(self) -> None:
        for opened in self._channels.values():
            await opened.close()


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
            service = Service(spec, f"127.0.0.1:{runtime.port}", settings, store)
            try:
                started.set_result(service)
                await stop.wait()
            finally:
                await service.close()
                await store.close()
    except BaseException as error:
        if not started.done():
            started.set_exception(error)
        raise


def rid() -> str:
    """A fresh request id."""
    return str(uuid.uuid4())


async def seed(services: Sequence[Service]) -> None:
    """Something for the generated requests to find, made by the operator: participants and
    their accounts, an entity and an open year, an instrument open for trading, cash; then
    the accounts' owners made known to the other services."""
    by_name = {service.spec.name: service for service in services}

    async def send(service: str, method: str, request: Any) -> None:
        await by_name[service].call(method, request.SerializeToString(), (), pki.operator())

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
    await tell_owners(by_name)


async def tell_owners(by_name: dict[str, Service]) -> None:
    """Put the registry's AccountOpened events on each other service's registry topic (as
    the registry's relay would in a shared namespace); wait until each service answers a
    member's call on its own account past the policy."""
    opened_type = registry_events.AccountOpened.DESCRIPTOR.full_name
    recorded = await by_name["registry"].recorded_after(0)
    envelopes = [from_recorded("registry", e) for e in recorded if e.event_type == opened_type]
    assert len(envelopes) == len(ACCOUNTS), [e.event_type for e in recorded]
    for name in ("allocation", "matching", "settlement"):
        await publish_to(by_name[name].settings, "registry", envelopes)
    probes: list[tuple[str, str, str, Message]] = [
        ("allocation", ACCOUNTS[0], "GetEntity", allocation.GetEntityRequest(entity_id=ENTITY))
    ]
    for account in ACCOUNTS:
        probes += [
            ("matching", account, "GetRiskBalance",
             matching.GetRiskBalanceRequest(account_id=account)),
            ("settlement", account, "GetCashBalance",
             settlement.GetCashBalanceRequest(account_id=account)),
        ]  # fmt: skip
    deadline = asyncio.get_running_loop().time() + 90
    for name, account, method, request in probes:
        while not await _past_policy(by_name[name], account, method, request):
            assert asyncio.get_running_loop().time() < deadline, f"{name} knows no owner"
            await asyncio.sleep(0.05)


async def _past_policy(service: Service, account: str, method: str, request: Message) -> bool:
    """Whether ``account``'s member's call is answered otherwise than NOT_YOUR_ACCOUNT or
    NOT_YOURS (the service knows the owner)."""
    try:
        await service.call(method, request.SerializeToString(), (), pki.member(account))
    except grpc.aio.AioRpcError as error:
        info = error_info(error)
        return info is None or info.reason not in ("NOT_YOUR_ACCOUNT", "NOT_YOURS")
    return True
