"""Replay: 1,000,000 events read back from PostgreSQL and folded into a position projection.

The log holds ``Quantity`` credits on 10,000 account streams; the fold decodes each payload
and sums holdings per account, as the registry does when it rebuilds its positions. The
projection is checked against the totals that were written, so a fast wrong replay fails.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict

import asyncpg
from cqx.common.v1.quantity_pb2 import Quantity

from bench.report import Figure, infrastructure, report
from cqx_eventstore import AppendRequest, NewEvent, UnitOfWork
from cqx_eventstore.migrate import migrate, service_dsn
from cqx_eventstore.postgres import PostgresEventStore
from cqx_infra import Endpoints
from cqx_service.main import run_event_loop

EVENTS = 1_000_000
ACCOUNTS = 10_000
BATCH = 5_000
TYPE = "cqx.common.v1.Quantity"


async def fill(store: PostgresEventStore) -> dict[str, int]:
    expected: dict[str, int] = defaultdict(int)
    for start in range(0, EVENTS, BATCH):
        requests = []
        for n in range(start, start + BATCH):
            account, tonnes = f"account-{n % ACCOUNTS}", n % 997 + 1
            expected[account] += tonnes
            payload = Quantity(tonnes=tonnes).SerializeToString()
            requests.append(
                AppendRequest(account, None, [NewEvent(str(uuid.uuid4()), TYPE, payload)])
            )
        await store.commit(UnitOfWork(requests=requests))
    return expected


async def replay(store: PostgresEventStore) -> tuple[dict[str, int], int]:
    holdings: dict[str, int] = defaultdict(int)
    count = 0
    parse = Quantity.FromString
    async for rows in store.read_rows(0, batch_size=20_000):
        for _, stream_id, _, _, payload in rows:
            holdings[stream_id] += parse(payload).tonnes
        count += len(rows)
    return holdings, count


async def main() -> None:
    async with infrastructure() as endpoints:
        await measure(endpoints)


async def measure(endpoints: Endpoints) -> None:
    dsn = endpoints.database_url
    schema = f"bench_replay_{uuid.uuid4().hex[:6]}"
    await migrate(dsn, schema)
    store = await PostgresEventStore.connect(service_dsn(dsn, schema), schema)
    started = time.perf_counter()
    expected = await fill(store)
    print(f"wrote {EVENTS:,} events in {time.perf_counter() - started:.1f} s")
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        holdings, count = await replay(store)
        rate = count / (time.perf_counter() - started)
        assert count == EVENTS, f"replayed {count} events, wrote {EVENTS}"
        assert holdings == expected, "replay disagrees with what was written"
        best = max(best, rate)
    await store.close()
    admin = await asyncpg.connect(dsn)
    await admin.execute(f"DROP SCHEMA {schema} CASCADE")
    await admin.close()
    report(Figure("eventstore_replay", "events/s read and folded (best of 3)", best,
                  "events/s", target="≥ 500,000 events/s"))  # fmt: skip


if __name__ == "__main__":
    run_event_loop(main())
