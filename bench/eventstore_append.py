"""Durable appends to the PostgreSQL event store, beside a raw COPY into the same table.

Each batch is what group commit makes of N concurrent commands: N units of work, each one
event on a stream of its own, checked (expected version, idempotency) and hash-chained, in one
transaction with synchronous_commit on. The ceiling copies the same number of pre-built rows
into an identical table with one COPY per transaction and no checks at all.
"""

from __future__ import annotations

import asyncio
import gc
import time
import uuid

import asyncpg

from bench.report import Figure, infrastructure, report
from cqx_eventstore import AppendRequest, Committed, NewEvent, UnitOfWork
from cqx_eventstore.hashing import GENESIS_HASH
from cqx_eventstore.migrate import migrate, service_dsn
from cqx_eventstore.planning import PreparedUnit, prepare
from cqx_eventstore.postgres import PostgresEventStore
from cqx_infra import Endpoints
from cqx_kernel.clock import SystemClock
from cqx_service.main import run_event_loop

PAYLOAD = bytes(120)  # about the size of an OrderPlaced or TradeExecuted message
METADATA = {"correlation_id": str(uuid.uuid4()), "actor": "bench"}
ROUNDS = {1000: 150, 100: 300, 1: 1_000}


def batch(size: int, tag: str) -> list[UnitOfWork]:
    return [
        UnitOfWork(
            requests=[
                AppendRequest(
                    f"{tag}-{i}",
                    0,
                    [NewEvent(str(uuid.uuid4()), "cqx.bench.v1.E", PAYLOAD)],
                    METADATA,
                )
            ]
        )
        for i in range(size)
    ]


async def store_rate(store: PostgresEventStore, size: int) -> float:
    """Commit batch after batch; the next batch is prepared while this one is in the database.

    This is what GroupCommitter does: callers validate and hash their units in their own
    tasks while the writer waits on PostgreSQL.
    """
    batches = [batch(size, f"b{size}r{r}") for r in range(ROUNDS[size])]
    # The pre-built input is not part of the system under test: keep the collector off it.
    gc.collect()
    gc.freeze()
    ready: asyncio.Queue[list[PreparedUnit] | None] = asyncio.Queue(maxsize=2)

    async def prepare_all() -> None:
        for units in batches:
            prepared: list[PreparedUnit] = []
            for start in range(0, len(units), 50):  # small steps: the writer never waits long
                prepared += prepare(units[start : start + 50])
                await asyncio.sleep(0)
            await ready.put(prepared)
        await ready.put(None)

    started = time.perf_counter()
    preparer = asyncio.create_task(prepare_all())
    while (prepared := await ready.get()) is not None:
        results = await store.commit_prepared(prepared)
        assert all(isinstance(r, Committed) for r in results), "a unit was not committed"
    await preparer
    elapsed = time.perf_counter() - started
    gc.unfreeze()
    return size * len(batches) / elapsed


async def copy_rate(dsn: str, schema: str, size: int) -> float:
    connection = await asyncpg.connect(dsn)
    now = SystemClock().now()
    base = await connection.fetchval(f"SELECT coalesce(max(position), 0) FROM {schema}.events")
    rows = [
        [
            (base + r * size + i + 1, f"c{size}-{r}-{i}", 1, str(uuid.uuid4()), "cqx.bench.v1.E",
             PAYLOAD, b"{}", now, GENESIS_HASH, GENESIS_HASH)
            for i in range(size)
        ]
        for r in range(ROUNDS[size])
    ]  # fmt: skip
    columns = ["position", "stream_id", "stream_version", "event_id", "event_type", "payload",
               "metadata", "recorded_at", "prev_hash", "hash"]  # fmt: skip
    started = time.perf_counter()
    for records in rows:
        async with connection.transaction():
            await connection.copy_records_to_table(
                "events", schema_name=schema, columns=columns, records=records
            )
    elapsed = time.perf_counter() - started
    await connection.close()
    return size * len(rows) / elapsed


async def main() -> None:
    async with infrastructure() as endpoints:
        await measure(endpoints)


async def measure(endpoints: Endpoints) -> None:
    dsn = endpoints.database_url
    suffix = uuid.uuid4().hex[:6]
    schema, ceiling_schema = f"bench_append_{suffix}", f"bench_copy_{suffix}"
    await migrate(dsn, schema)
    await migrate(dsn, ceiling_schema)
    store = await PostgresEventStore.connect(service_dsn(dsn, schema), schema)
    admin = await asyncpg.connect(dsn)
    print("synchronous_commit =", await admin.fetchval("SHOW synchronous_commit"))
    figures = []
    for size in ROUNDS:
        rate = await store_rate(store, size)
        ceiling = await copy_rate(dsn, ceiling_schema, size)
        target = "≥ 60,000 events/s, ratio ≥ 0.45" if size == 1000 else None
        figures.append(
            Figure(
                "eventstore_append",
                f"events/s, batch {size}",
                rate,
                "events/s",
                ceiling,
                target,
            )
        )
    await store.close()
    for s in (schema, ceiling_schema):
        await admin.execute(f"DROP SCHEMA {s} CASCADE")
    await admin.close()
    # The batch-1,000 figure is the headline; the JSON holds all three.
    report(figures[-1], *figures[:-1])


if __name__ == "__main__":
    run_event_loop(main())
