"""The attack of issue 9: a forged settlement ``FundsDeposited`` of 1 billion CNY, written to
the settlement topic by someone with rights to write it (here the broker's administrator),
must not raise anyone's cash at the exchange. Each forgery (a broken chain, a hash that does not
recompute, another context's source) is dead-lettered with its reason, counted, and changes
nothing; the genuine deposit after them is applied."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import matching_service_pb2_grpc as api_grpc
from cqx.settlement.v1 import events_pb2 as settlement
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cqx_eventstore.postgres import PostgresEventStore
from cqx_kernel.clock import FixedClock
from cqx_matching.application.app import MatchingApplication
from cqx_matching.bootstrap import builder
from cqx_matching.config import MatchingSettings
from cqx_service import RuntimeSettings, ServiceRuntime
from tests.component.matching.support import MONDAY_MORNING, Matching, envelope, eventually
from tests.support import pki
from tests.support.as_owner import AsOwner
from tests.support.bus import admin_of, publish_raw, sealed
from tests.support.service_harness import running

BILLION_CNY = 100_000_000_000  # fen


@pytest.fixture
async def exchange(settings: RuntimeSettings) -> AsyncIterator[tuple[Matching, ServiceRuntime]]:
    """The matching service and its runtime (whose metrics count the refusals)."""
    apps: list[MatchingApplication] = []
    build = builder(MatchingSettings(), clock=FixedClock(MONDAY_MORNING), built=apps.append)
    async with running(settings, build) as runtime:
        store = await PostgresEventStore.connect(settings.database_url, settings.schema)
        try:
            address = f"127.0.0.1:{runtime.port}"
            stub = AsOwner(api_grpc.MatchingServiceStub, address)
            async with pki.channel(address, pki.operator()) as channel:
                clock = FixedClock(MONDAY_MORNING)
                yield Matching(stub, settings, clock, store, apps[-1], channel), runtime
            await stub.close()
        finally:
            await store.close()


def deposit(account: str, amount_fen: int, source: str = "settlement") -> EventEnvelope:
    message = settlement.FundsDeposited(
        deposit_id=str(uuid.uuid4()), account_id=account, amount_fen=amount_fen
    )
    return envelope(source, message, f"cash-{account}")


def refused_count(runtime: ServiceRuntime, reason: str) -> float:
    value = runtime.metrics.registry.get_sample_value(
        "cqx_consumer_envelopes_refused_total",
        {"service": "matching", "source": "settlement", "reason": reason},
    )
    return value or 0.0


async def test_a_forged_deposit_raises_no_cash_and_is_dead_lettered_with_its_reason(
    exchange: tuple[Matching, ServiceRuntime],
) -> None:
    service, runtime = exchange
    await service.fund("victim", 11_000)  # 110 CNY, genuinely deposited (position 1)
    head_before = await service.head()
    topic = service.settings.topic("settlement")
    broken_chain = sealed(
        topic, deposit("attacker-1", BILLION_CNY), prev_hash=b"\x01" * 32, keep=False
    )
    wrong_hash = sealed(topic, deposit("attacker-2", BILLION_CNY), keep=False)
    wrong_hash.hash = bytes(32)
    foreign = sealed(topic, deposit("attacker-3", BILLION_CNY, source="registry"), keep=False)
    await publish_raw(admin_of(service.settings), topic, [broken_chain, wrong_hash, foreign])

    await service.fund("canary", 500)  # genuine, after the forgeries on the one partition

    for attacker in ("attacker-1", "attacker-2", "attacker-3"):
        assert await service.free_cash(attacker) == 0
    assert await service.free_cash("victim") == 11_000
    recorded = [e async for e in service.store.read_all(head_before)]
    assert not any(b"attacker" in e.payload for e in recorded)
    letters = await service.store.pool.fetch(
        f"SELECT topic, reason FROM {service.settings.schema}.dead_letters ORDER BY id"
    )
    assert {row["topic"] for row in letters} == {topic}
    assert [row["reason"].split(":")[0] for row in letters] == [
        "CHAIN_BROKEN", "HASH_MISMATCH", "SOURCE_NOT_TOPIC_OWNER",
    ]  # fmt: skip

    async def counted() -> bool:
        reasons = ("CHAIN_BROKEN", "HASH_MISMATCH", "SOURCE_NOT_TOPIC_OWNER")
        return all(refused_count(runtime, reason) == 1 for reason in reasons)

    await eventually(counted, within=5)
    # Health says so: the settlement source's check is NOT_SERVING, the service still serves.
    health = health_pb2_grpc.HealthStub(service.channel)

    async def status(name: str) -> int:
        request = health_pb2.HealthCheckRequest(service=name)
        return int((await health.Check(request)).status)

    assert await status("cqx.bus.settlement") == health_pb2.HealthCheckResponse.NOT_SERVING
    assert await status("cqx.bus.registry") == health_pb2.HealthCheckResponse.SERVING
    assert await status("") == health_pb2.HealthCheckResponse.SERVING
