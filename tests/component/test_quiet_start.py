"""A normal start of a service logs no error (an operator reads ERROR as something to fix)."""

from __future__ import annotations

import asyncio
import logging

import grpc
import pytest
from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_bus import KafkaAccess
from cqx_eventstore import UnitOfWork
from cqx_service import ConsumerSpec, ServiceContext, Wiring
from tests.support.service_harness import running, settings_for
from tests.support.toy import toy

SERVICE = "cqx.test.v1.QuietService"
SOURCES = ("quiet", "first", "second", "third", "fourth", "fifth")


async def test_a_fresh_start_logs_no_error(
    database_url: str, kafka_admin: KafkaAccess, unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = settings_for("quiet", database_url, kafka_admin, unique_name)

    async def ignore(envelope: EventEnvelope) -> UnitOfWork:
        return UnitOfWork()

    async def build(context: ServiceContext) -> Wiring:
        handler = grpc.method_handlers_generic_handler(SERVICE, {})
        return Wiring(
            service_names=[SERVICE],
            registrations=[lambda server: server.add_generic_rpc_handlers((handler,))],
            # Fresh topics, none of them written yet: its own, and other contexts'.
            consumers=[ConsumerSpec([source], ignore) for source in SOURCES],
        )

    async with running(settings, build, runtime_type=toy(SERVICE, ())):
        await asyncio.sleep(8)  # consumers join their groups; the relay idles
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, "\n".join(errors)
