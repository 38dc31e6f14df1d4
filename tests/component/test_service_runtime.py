"""The service runtime on real PostgreSQL and Kafka: a tiny counter service, end to end."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cqx_bus import KafkaAccess
from cqx_eventstore import AppendRequest, NewEvent, UnitOfWork
from cqx_grpc import call_metadata, error_info
from cqx_kernel.errors import FailedPreconditionError
from cqx_service import ConsumerSpec, Decision, ServiceContext, Wiring
from tests.support import pki
from tests.support.service_harness import running, settings_for
from tests.support.toy import toy

SERVICE = "cqx.test.v1.CounterService"


class Counter:
    """In-memory state, rebuilt from the log; one command; one consumer."""

    def __init__(self, context: ServiceContext) -> None:
        self.journal = context.journal
        self.total = 0
        self.seen_foreign: list[str] = []

    def add(self, amount: int) -> Decision:
        if amount <= 0:
            raise FailedPreconditionError("amount must be positive", reason="NOT_POSITIVE")
        self.total += amount
        event = NewEvent(str(uuid.uuid4()), "cqx.test.v1.Added", str(amount).encode())
        return Decision([AppendRequest("counter", None, [event])], str(self.total).encode())

    async def rpc_add(self, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        request_id = dict(context.invocation_metadata()).get("x-request-id", "")
        return await self.journal.execute(request_id, lambda: self.add(int(request)))

    async def on_foreign(self, envelope: EventEnvelope) -> UnitOfWork:
        self.seen_foreign.append(envelope.event_id)
        return UnitOfWork()


async def test_a_service_serves_records_idempotently_and_relays(
    database_url: str, kafka_admin: KafkaAccess, unique_name: str
) -> None:
    settings = settings_for("counter", database_url, kafka_admin, unique_name)
    counters: list[Counter] = []

    async def build(context: ServiceContext) -> Wiring:
        counter = Counter(context)
        counters.append(counter)
        handler = grpc.method_handlers_generic_handler(
            SERVICE, {"Add": grpc.unary_unary_rpc_method_handler(counter.rpc_add)}
        )
        return Wiring(
            service_names=[SERVICE],
            registrations=[lambda server: server.add_generic_rpc_handlers((handler,))],
            consumers=[ConsumerSpec(["counter"], counter.on_foreign)],  # its own topic
        )

    async with running(settings, build, runtime_type=toy(SERVICE, ("Add",))) as runtime:
        async with pki.channel(f"127.0.0.1:{runtime.port}", pki.operator()) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            reply = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
            add = channel.unary_unary(f"/{SERVICE}/Add")
            assert await add(b"5", metadata=call_metadata(request_id="r1")) == b"5"
            assert await add(b"7", metadata=call_metadata(request_id="r2")) == b"12"
            # A retry of r1 gets r1's answer and adds nothing.
            assert await add(b"5", metadata=call_metadata(request_id="r1")) == b"5"
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await add(b"0", metadata=call_metadata(request_id="r3"))
            assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            info = error_info(refused.value)
            assert info is not None
            assert info.reason == "NOT_POSITIVE"
            with pytest.raises(grpc.aio.AioRpcError) as missing:
                await add(b"1")
            assert missing.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        # Its own events come back through relay and consumer, each once.
        deadline = asyncio.get_running_loop().time() + 30
        while len(counters[0].seen_foreign) < 2:
            assert asyncio.get_running_loop().time() < deadline, "events did not come round"
            await asyncio.sleep(0.05)
        assert counters[0].total == 12
        assert len(set(counters[0].seen_foreign)) == 2
