"""A client's request and correlation ids travel from gRPC metadata into the events it causes."""

from __future__ import annotations

import uuid

import grpc
import pytest

from cqx_eventstore import InMemoryEventStore, NewEvent
from cqx_grpc import Gate, GrpcServer, call_metadata, current_call
from cqx_identity import TlsFiles
from tests.support import pki

SERVICE = "cqx.test.v1.LedgerService"


@pytest.fixture
async def server_and_store() -> tuple[GrpcServer, InMemoryEventStore]:
    store = InMemoryEventStore()

    async def record(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        event = NewEvent(str(uuid.uuid4()), "cqx.test.v1.Recorded", request)
        (position,) = await store.append(
            "ledger", None, [event], current_call().as_event_metadata()
        )
        return str(position).encode()

    handler = grpc.method_handlers_generic_handler(
        SERVICE, {"Record": grpc.unary_unary_rpc_method_handler(record)}
    )
    server = GrpcServer(
        service_names=[SERVICE],
        registrations=[lambda s: s.add_generic_rpc_handlers((handler,))],
        gate=Gate(None),
        tls=TlsFiles.in_directory(pki.pki_dir(), "matching"),
    )
    await server.start()
    return server, store


async def test_request_and_correlation_ids_are_recorded_with_the_event(
    server_and_store: tuple[GrpcServer, InMemoryEventStore],
) -> None:
    server, store = server_and_store
    try:
        async with pki.channel(f"127.0.0.1:{server.port}", pki.operator()) as channel:
            call = channel.unary_unary(f"/{SERVICE}/Record")
            claimed = (("x-actor", "operator-3"),)  # a claim, ignored: the certificate says who
            await call(b"credit 100 t", metadata=(*call_metadata(
                request_id="req-7", correlation_id="corr-1"), *claimed))  # fmt: skip
            await call(b"credit 5 t", metadata=call_metadata(request_id="req-8"))
    finally:
        await server.stop(0)
    first, second = await store.read_stream("ledger")
    assert first.metadata == {
        "request_id": "req-7", "correlation_id": "corr-1", "actor": "operator:operator",
    }  # fmt: skip
    # Without a correlation id, the request id starts the correlation.
    assert second.metadata == {
        "request_id": "req-8", "correlation_id": "req-8", "actor": "operator:operator"
    }  # fmt: skip
