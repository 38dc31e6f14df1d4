"""The relay: events per second from the event store to Kafka, on one partition and on six.

The store holds 100,000 events on 1,000 streams. A relay publishes all of them (idempotent
producer, acks=all, keyed by stream id) and records its position after each acknowledged
batch; the clock stops when the recorded position reaches the last event. A consumer then
counts the topic, so a relay that skipped events cannot post a figure.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer

from bench.report import Figure, infrastructure, report
from cqx_bus.access import KafkaAccess, KafkaCredentials
from cqx_bus.bookkeeping import PostgresBookkeeping
from cqx_bus.provision import provision, service_account
from cqx_bus.relay import Relay
from cqx_eventstore import AppendRequest, NewEvent, UnitOfWork
from cqx_eventstore.migrate import migrate, service_dsn
from cqx_eventstore.postgres import PostgresEventStore
from cqx_infra import Endpoints
from cqx_service.main import run_event_loop

EVENTS = 100_000
PAYLOAD = bytes(120)


async def fill(store: PostgresEventStore) -> None:
    for start in range(0, EVENTS, 5000):
        await store.commit(
            UnitOfWork(
                requests=[
                    AppendRequest(f"order-{n % 1000}", None,
                                  [NewEvent(str(uuid.uuid4()), "cqx.bench.v1.E", PAYLOAD)])
                    for n in range(start, start + 5000)
                ]
            )
        )  # fmt: skip


async def count_topic(access: KafkaAccess, topic: str) -> int:
    consumer = AIOKafkaConsumer(topic, **access.client_options(), auto_offset_reset="earliest")
    await consumer.start()
    try:
        await consumer.seek_to_end()
        partitions = consumer.assignment()
        while not partitions:
            await asyncio.sleep(0.1)
            partitions = consumer.assignment()
        ends = await consumer.end_offsets(list(partitions))
        return sum(ends.values())
    finally:
        await consumer.stop()


async def relay_rate(store: PostgresEventStore, admin: KafkaAccess, partitions: int) -> float:
    """Events per second, published as a service's own principal (provisioned for it)."""
    name = f"bench{uuid.uuid4().hex[:6]}"
    user = KafkaCredentials(name, secrets.token_urlsafe(16))
    account = service_account("", name, [], user)
    await provision(admin, account, partitions=partitions)
    topic = account.own_topics[0]
    books = PostgresBookkeeping(store.pool, store.schema)
    relay = Relay(store, books, source="bench", access=admin.as_user(user), topic=topic)
    started = time.perf_counter()
    task = asyncio.create_task(relay.run())
    while relay.published < EVENTS:
        await asyncio.sleep(0.01)
        if task.done():
            task.result()
    elapsed = time.perf_counter() - started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    published = await count_topic(admin, topic)
    assert published >= EVENTS, f"topic holds {published} messages, expected {EVENTS}"
    return EVENTS / elapsed


async def main() -> None:
    async with infrastructure() as endpoints:
        await measure(endpoints)


async def measure(endpoints: Endpoints) -> None:
    dsn = endpoints.database_url
    schema = f"bench_relay_{uuid.uuid4().hex[:6]}"
    await migrate(dsn, schema)
    store = await PostgresEventStore.connect(service_dsn(dsn, schema), schema)
    await fill(store)
    one = await relay_rate(store, endpoints.kafka_admin, 1)
    six = await relay_rate(store, endpoints.kafka_admin, 6)
    await store.close()
    admin = await asyncpg.connect(dsn)
    await admin.execute(f"DROP SCHEMA {schema} CASCADE")
    await admin.close()
    report(
        Figure("relay", "events/s, 1 partition", one, "events/s", target="≥ 20,000 events/s"),
        Figure("relay", "events/s, 6 partitions", six, "events/s"),
    )


if __name__ == "__main__":
    run_event_loop(main())
