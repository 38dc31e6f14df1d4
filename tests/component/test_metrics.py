"""A running service serves Prometheus metrics over HTTP, and they move with its calls."""

from __future__ import annotations

import asyncio
import logging
import urllib.request
import uuid

import grpc
import pytest
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from prometheus_client.parser import text_string_to_metric_families

from cqx_bus import KafkaAccess
from cqx_eventstore import AppendRequest, NewEvent, UnitOfWork
from cqx_grpc import call_metadata
from cqx_kernel.errors import FailedPreconditionError
from cqx_service import ConsumerSpec, Decision, ServiceContext, Wiring
from tests.support import pki
from tests.support.service_harness import running, settings_for
from tests.support.toy import toy

SERVICE = "cqx.test.v1.TallyService"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


class Tally:
    """One command that records an event, refused for amounts that are not positive."""

    def __init__(self, context: ServiceContext) -> None:
        self.journal = context.journal
        self.total = 0

    def add(self, amount: int) -> Decision:
        if amount <= 0:
            raise FailedPreconditionError("amount must be positive", reason="NOT_POSITIVE")
        self.total += amount
        event = NewEvent(str(uuid.uuid4()), "cqx.test.v1.Added", str(amount).encode())
        return Decision([AppendRequest("tally", None, [event])], str(self.total).encode())

    async def rpc_add(self, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        request_id = dict(context.invocation_metadata()).get("x-request-id", "")
        return await self.journal.execute(request_id, lambda: self.add(int(request)))

    async def on_foreign(self, envelope: EventEnvelope) -> UnitOfWork:
        return UnitOfWork()


def scrape(port: int) -> Samples:
    """GET /metrics; every sample by name and labels."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert response.status == 200
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly ``labels`` (0 when absent, as Prometheus reads it)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_count_calls_refusals_commits_and_positions(
    database_url: str, kafka_admin: KafkaAccess, unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cqx.calls")
    settings = settings_for("tally", database_url, kafka_admin, unique_name)

    async def build(context: ServiceContext) -> Wiring:
        tally = Tally(context)
        handler = grpc.method_handlers_generic_handler(
            SERVICE, {"Add": grpc.unary_unary_rpc_method_handler(tally.rpc_add)}
        )
        return Wiring(
            service_names=[SERVICE],
            registrations=[lambda server: server.add_generic_rpc_handlers((handler,))],
            consumers=[ConsumerSpec(["tally"], tally.on_foreign)],  # its own topic
        )

    async with running(settings, build, runtime_type=toy(SERVICE, ("Add",))) as runtime:
        assert runtime.metrics_port is not None
        assert runtime.metrics_port != runtime.port
        before = await asyncio.to_thread(scrape, runtime.metrics_port)
        assert (
            value(before, "cqx_grpc_requests_total", service="tally", method="Add", code="OK") == 0
        )
        async with pki.channel(f"127.0.0.1:{runtime.port}", pki.operator()) as channel:
            add = channel.unary_unary(f"/{SERVICE}/Add")
            assert await add(b"5", metadata=call_metadata(request_id="m1")) == b"5"
            assert await add(b"7", metadata=call_metadata(request_id="m2")) == b"12"
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await add(b"0", metadata=call_metadata(request_id="m3"))
            assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION

        after = await asyncio.to_thread(scrape, runtime.metrics_port)
        calls = {"service": "tally", "method": "Add"}
        assert value(after, "cqx_grpc_requests_total", **calls, code="OK") == 2
        assert value(after, "cqx_grpc_requests_total", **calls, code="FAILED_PRECONDITION") == 1
        assert value(after, "cqx_grpc_request_seconds_count", **calls) == 3
        # The two accepted commands were committed (the refusal records nothing).
        assert value(after, "cqx_journal_commit_seconds_count", service="tally") >= 2
        assert value(after, "cqx_journal_commands_total", service="tally") >= 2
        # The same edge logged one line per mutating call, with its outcome and request id.
        lines = [r for r in caplog.records if r.name == "cqx.calls"]
        assert [getattr(r, "outcome", None) for r in lines] == ["OK", "OK", "NOT_POSITIVE"]
        assert all(getattr(r, "grpc_method", None) == "Add" for r in lines)

        # The sampled gauges follow: the log's head and the relay reach both events, and the
        # consumer (once it has joined its group) reports its lag, caught up at last.
        deadline = asyncio.get_running_loop().time() + 45
        while True:
            now = await asyncio.to_thread(scrape, runtime.metrics_port)
            head = value(now, "cqx_log_head_position", service="tally")
            relayed = value(now, "cqx_relay_position", service="tally")
            lags = [v for (name, _), v in now.items() if name == "cqx_consumer_lag_messages"]
            if head >= 2 and relayed >= 2 and lags == [0.0]:
                break
            assert asyncio.get_running_loop().time() < deadline, (head, relayed, lags)
            await asyncio.sleep(0.5)
