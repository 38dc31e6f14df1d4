"""The bus on a real broker: every event takes effect exactly once downstream, even when the
relay is cancelled or killed halfway and the consumer sees messages twice. The relay and the
consumer each run as a provisioned principal of their own, as services do."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from aiokafka import AIOKafkaProducer
from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_bus import KafkaAccess, KafkaCredentials
from cqx_bus.bookkeeping import PostgresBookkeeping
from cqx_bus.consumer import Consumer
from cqx_bus.envelope import from_recorded
from cqx_bus.provision import provision_service
from cqx_bus.relay import Relay
from cqx_eventstore import AppendRequest, NewEvent, UnitOfWork
from cqx_eventstore.migrate import migrate, service_dsn
from cqx_eventstore.postgres import PostgresEventStore

TOTAL = 10_000


@dataclass
class Pipeline:
    source: PostgresEventStore
    source_books: PostgresBookkeeping
    down: PostgresEventStore
    down_books: PostgresBookkeeping
    topic: str
    writer: KafkaAccess  # the source's principal
    reader: KafkaAccess  # the downstream service's principal
    consumer: str  # its consumer group and tracking name
    source_dsn: str


async def open_store(admin_dsn: str, schema: str) -> PostgresEventStore:
    await migrate(admin_dsn, schema)
    return await PostgresEventStore.connect(service_dsn(admin_dsn, schema), schema)


@pytest.fixture
async def pipeline(
    database_url: str, kafka_admin: KafkaAccess, unique_name: str
) -> AsyncIterator[Pipeline]:
    namespace = f"{unique_name}_"
    source = await open_store(database_url, f"{namespace}src")
    down = await open_store(database_url, f"{namespace}down")
    writer = KafkaCredentials(f"{namespace}src", "src-secret")
    reader = KafkaCredentials(f"{namespace}down", "down-secret")
    src = await provision_service(
        kafka_admin, namespace, "src", consumes=[], credentials=writer, partitions=3
    )
    await provision_service(kafka_admin, namespace, "down", consumes=["src"], credentials=reader)
    for chunk in range(0, TOTAL, 1000):  # 100 streams of 100 events, 1,000 per transaction
        await source.commit(
            UnitOfWork(
                requests=[
                    AppendRequest(
                        f"acct-{(chunk + i) % 100}", None, [mirror_source_event(chunk + i)]
                    )
                    for i in range(1000)
                ]
            )
        )
    yield Pipeline(
        source, PostgresBookkeeping(source.pool, source.schema),
        down, PostgresBookkeeping(down.pool, down.schema),
        src.own_topics[0], kafka_admin.as_user(writer), kafka_admin.as_user(reader),
        f"{namespace}down<-src", service_dsn(database_url, source.schema),
    )  # fmt: skip
    await source.close()
    await down.close()


def mirror_source_event(n: int) -> NewEvent:
    return NewEvent(str(uuid.uuid4()), "cqx.test.v1.Issued", n.to_bytes(4, "big"))


def mirror_handler() -> Callable[[EventEnvelope], Awaitable[UnitOfWork]]:
    async def handle(envelope: EventEnvelope) -> UnitOfWork:
        effect = NewEvent(str(uuid.uuid4()), "cqx.test.v1.Mirrored", envelope.event_id.encode())
        return UnitOfWork(requests=[AppendRequest(f"mirror-{envelope.stream_id}", None, [effect])])

    return handle


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def consume_everything(p: Pipeline, group: str | None = None) -> Consumer:
    consumer = Consumer(
        p.consumer, {p.topic: "src"}, access=p.reader, store=p.down,
        bookkeeping=p.down_books, handler=mirror_handler(), group_id=group,
    )  # fmt: skip
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _drained(consumer), within=90)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return consumer


async def _drained(consumer: Consumer) -> bool:
    lag = await consumer.lag()
    return lag == 0


async def assert_each_event_took_effect_once(p: Pipeline) -> None:
    sources = {e.event_id async for e in p.source.read_all()}
    effects = [e.payload.decode() async for e in p.down.read_all()]
    assert len(effects) == TOTAL
    assert set(effects) == sources
    assert await p.down.verify() is None


async def test_a_relay_cancelled_halfway_resumes_and_nothing_is_lost_or_doubled(
    pipeline: Pipeline,
) -> None:
    relay = Relay(pipeline.source, pipeline.source_books, source="src",
                  access=pipeline.writer, topic=pipeline.topic, batch_size=250)  # fmt: skip
    first = asyncio.create_task(relay.run())
    await eventually(lambda: _published_at_least(pipeline, TOTAL // 2))
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    halfway = await pipeline.source_books.published_position(pipeline.topic)
    assert TOTAL // 2 <= halfway < TOTAL

    second = asyncio.create_task(
        Relay(pipeline.source, pipeline.source_books, source="src",
              access=pipeline.writer, topic=pipeline.topic, batch_size=250).run()
    )  # fmt: skip
    try:
        await eventually(lambda: _published_at_least(pipeline, TOTAL))
        await consume_everything(pipeline)
    finally:
        second.cancel()
        await asyncio.gather(second, return_exceptions=True)
    await assert_each_event_took_effect_once(pipeline)

    # Every message delivered again (a new group reads from the start): no second effect.
    await consume_everything(pipeline, group=f"{pipeline.consumer}-replay")
    await assert_each_event_took_effect_once(pipeline)


async def _published_at_least(p: Pipeline, position: int) -> bool:
    return await p.source_books.published_position(p.topic) >= position


@pytest.mark.slow
async def test_a_relay_process_killed_halfway_resumes_and_nothing_is_lost_or_doubled(
    pipeline: Pipeline,
) -> None:
    async def start_relay() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cqx_bus", "relay", "--dsn", pipeline.source_dsn,
            "--schema", pipeline.source.schema, "--source", "src", "--topic", pipeline.topic,
            "--batch-size", "250", env={
                **os.environ, "CQX_KAFKA_BOOTSTRAP": pipeline.writer.bootstrap,
                "CQX_KAFKA_USERNAME": pipeline.writer.credentials.username,
                "CQX_KAFKA_PASSWORD": pipeline.writer.credentials.password,
            },
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip

    first = await start_relay()
    await eventually(lambda: _published_at_least(pipeline, TOTAL // 3))
    os.kill(first.pid, signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL
    assert await pipeline.source_books.published_position(pipeline.topic) < TOTAL

    second = await start_relay()
    try:
        await eventually(lambda: _published_at_least(pipeline, TOTAL))
        await consume_everything(pipeline)
    finally:
        second.terminate()
        await second.wait()
    await assert_each_event_took_effect_once(pipeline)


async def test_an_undecodable_message_is_dead_lettered_and_the_consumer_goes_on(
    pipeline: Pipeline,
) -> None:
    producer = AIOKafkaProducer(**pipeline.writer.client_options())
    await producer.start()
    try:
        await producer.send_and_wait(pipeline.topic, b"\xff\xfe not protobuf", key=b"k")
        await producer.send_and_wait(
            pipeline.topic, EventEnvelope(source="src").SerializeToString()
        )
        (good,) = [e async for e in pipeline.source.read_all(to_position=1)]
        await producer.send_and_wait(pipeline.topic, from_recorded("src", good).SerializeToString())
    finally:
        await producer.stop()
    await consume_everything(pipeline)
    letters = {
        letter.value: letter.reason
        for letter in await pipeline.down_books.dead_letters(pipeline.consumer)
    }
    assert len(letters) == 2
    assert "not an EventEnvelope" in letters[b"\xff\xfe not protobuf"]
    assert "lacks stream_id, event_id, event_type" in letters[b"\n\x03src"]
    assert [e.payload.decode() async for e in pipeline.down.read_all()] == [good.event_id]
