"""The PostgreSQL event store: one schema per service, the source of truth and the outbox.

Appends lock the schema's ``head`` row, so global positions are gap-free and equal commit
order, and the hash chain is extended by one writer at a time. The lock is waited for at most
``lock_timeout`` seconds (``SET LOCAL lock_timeout``, sent with the BEGIN, so it costs no round
trip): a writer that cannot have it gets :class:`EventStoreBusyError` and has written nothing.
Rows go in with COPY. Readers page by position; subscribers are woken by LISTEN/NOTIFY, never
by busy polling. The driver's errors become the store's own (:mod:`cqx_eventstore.pgerrors`).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg

from cqx_eventstore.errors import ConcurrencyError, InvalidAppendError
from cqx_eventstore.migrate import checked_identifier
from cqx_eventstore.model import EventRow, Outcome, RecordedEvent
from cqx_eventstore.pgcopy import COLUMNS, HEADER, TRAILER
from cqx_eventstore.pgerrors import driver_errors, expected_versions
from cqx_eventstore.planning import CommitPlan, PreparedUnit, plan_commit, streams_of
from cqx_eventstore.port import EventStore
from cqx_kernel.clock import Clock, SystemClock

_COLUMNS = (
    "position, stream_id, stream_version, event_id::text, event_type, payload, metadata,"
    " recorded_at, prev_hash, hash"
)
# How long an append waits for the head row before it gives up (EventStoreBusyError). Group
# commit holds the lock for one batch's COPY (milliseconds), so only a foreign transaction
# holding the row (a second writer, an administrator's session) waits this long.
DEFAULT_LOCK_TIMEOUT = 5.0


class PostgresEventStore(EventStore):
    """An event store in one PostgreSQL schema (see the module docstring)."""

    def __init__(
        self,
        pool: Any,
        schema: str,
        dsn: str,
        clock: Clock | None = None,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        self._pool = pool
        self._dsn = dsn
        self._schema = checked_identifier(schema)
        self._clock = clock or SystemClock()
        self.channel = f"cqx_events_{schema}"
        s = self._schema
        if not 0 < lock_timeout <= 3600:
            raise InvalidAppendError(f"lock timeout must be in (0, 3600] s, not {lock_timeout}")
        self.lock_timeout = lock_timeout
        # One simple-query message: the transaction and its lock timeout in one round trip.
        self._sql_begin = f"BEGIN; SET LOCAL lock_timeout = '{round(lock_timeout * 1000)}ms'"
        self._sql_lock = f"SELECT position, hash FROM {s}.head FOR UPDATE"
        self._sql_head = f"SELECT position, hash FROM {s}.head"
        # Each key is looked up through its index (LATERAL ... LIMIT 1 keeps the planner from a
        # sequential scan when the table's statistics are stale), so the cost of a check does
        # not grow with the log.
        self._sql_versions = (
            "SELECT k.id, v.version FROM unnest($1::text[]) AS k(id) CROSS JOIN LATERAL"
            f" (SELECT stream_version AS version FROM {s}.events WHERE stream_id = k.id"
            " ORDER BY stream_version DESC LIMIT 1) AS v"
        )
        self._sql_outcomes = (
            "SELECT k.id, o.outcome FROM unnest($1::text[]) AS k(id) CROSS JOIN LATERAL"
            f" (SELECT outcome FROM {s}.idempotency WHERE request_id = k.id LIMIT 1) AS o"
        )
        self._sql_handled = (
            "SELECT k.c, k.e::text FROM unnest($1::text[], $2::uuid[]) AS k(c, e) CROSS JOIN"
            f" LATERAL (SELECT 1 FROM {s}.tracking WHERE consumer = k.c AND event_id = k.e"
            " LIMIT 1) AS t"
        )
        self._sql_move_head = (
            f"WITH moved AS (UPDATE {s}.head SET position = $1, hash = $2 RETURNING position)"
            f" SELECT pg_notify('{self.channel}', position::text) FROM moved"
        )
        self._sql_stream = (
            f"SELECT {_COLUMNS} FROM {s}.events WHERE stream_id = $1 AND stream_version <= $2"
            " ORDER BY stream_version"
        )
        self._sql_rows = (
            f"SELECT position, stream_id, stream_version, event_type, payload FROM {s}.events"
            " WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3"
        )
        self._sql_page = (
            f"SELECT {_COLUMNS} FROM {s}.events WHERE position > $1 AND position <= $2"
            " ORDER BY position LIMIT $3"
        )

    @classmethod
    async def connect(
        cls,
        dsn: str,
        schema: str,
        *,
        clock: Clock | None = None,
        max_size: int = 10,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> PostgresEventStore:
        """Open a connection pool to ``dsn`` for the store in ``schema`` (already migrated).

        ``lock_timeout`` (seconds) bounds an append's wait for the store's write lock.
        """
        with driver_errors():
            pool = await asyncpg.create_pool(
                dsn, min_size=1, max_size=max_size, reset=_session_kept_clean
            )
        return cls(pool, schema, dsn, clock, lock_timeout=lock_timeout)

    async def close(self) -> None:
        """Close the pool."""
        with driver_errors():
            await self._pool.close()

    @property
    def schema(self) -> str:
        """The PostgreSQL schema that holds this store."""
        return self._schema

    @property
    def pool(self) -> Any:
        """The connection pool (projections in the same schema share it)."""
        return self._pool

    async def commit_prepared(
        self, prepared: Sequence[PreparedUnit]
    ) -> list[Outcome | ConcurrencyError]:
        with driver_errors(expected_versions(prepared)):
            async with self._pool.acquire() as connection:
                await connection.execute(self._sql_begin)
                try:
                    plan = await self._plan(connection, prepared)
                    await self._write(connection, plan)
                except BaseException:
                    await _roll_back(connection)
                    raise
                await connection.execute("COMMIT")
        return plan.results

    async def _plan(self, connection: Any, prepared: Sequence[PreparedUnit]) -> CommitPlan:
        units = [p.unit for p in prepared]
        position, last_hash = await connection.fetchrow(self._sql_lock)
        streams = streams_of(prepared)
        versions = dict(await connection.fetch(self._sql_versions, streams)) if streams else {}
        request_ids = [u.idempotency.request_id for u in units if u.idempotency]
        outcomes = (
            dict(await connection.fetch(self._sql_outcomes, request_ids)) if request_ids else {}
        )
        tracking = [t for u in units for t in u.tracking]
        handled: set[tuple[str, str]] = set()
        if tracking:
            rows = await connection.fetch(
                self._sql_handled, [t.consumer for t in tracking], [t.event_id for t in tracking]
            )
            handled = {(r[0], r[1]) for r in rows}
        return plan_commit(
            prepared,
            head_position=position,
            head_hash=last_hash,
            versions=versions,
            outcomes=outcomes,
            handled=handled,
            recorded_at=self._clock.now(),
        )

    async def _write(self, connection: Any, plan: CommitPlan) -> None:
        if plan.events:
            rows = b"".join([HEADER, *(e[5] for e in plan.events), TRAILER])
            await connection.copy_to_table(
                "events", schema_name=self._schema, columns=COLUMNS, format="binary",
                source=io.BytesIO(rows),
            )  # fmt: skip
        if plan.idempotency:
            await connection.copy_records_to_table(
                "idempotency", schema_name=self._schema,
                columns=["request_id", "outcome", "position"],
                records=[(r.request_id, r.outcome, p) for r, p in plan.idempotency],
            )  # fmt: skip
        if plan.tracking:
            await connection.copy_records_to_table(
                "tracking", schema_name=self._schema, columns=["consumer", "event_id", "position"],
                records=[(t.consumer, t.event_id, p) for t, p in plan.tracking],
            )  # fmt: skip
        if plan.events:
            await connection.execute(self._sql_move_head, plan.head_position, plan.head_hash)

    async def read_stream(
        self, stream_id: str, *, up_to_version: int | None = None
    ) -> list[RecordedEvent]:
        limit = up_to_version if up_to_version is not None else 2**62
        with driver_errors():
            rows = await self._pool.fetch(self._sql_stream, stream_id, limit)
        return [RecordedEvent(*row) for row in rows]

    async def read_all(
        self, from_position: int = 0, *, to_position: int | None = None, batch_size: int = 5000
    ) -> AsyncIterator[RecordedEvent]:
        end = to_position if to_position is not None else 2**62
        position = from_position
        # The driver's errors are translated around the yields too: only the driver raises
        # its own exceptions, and GeneratorExit passes through unchanged.
        with driver_errors():
            async with self._pool.acquire() as connection:
                statement = await connection.prepare(self._sql_page)
                while True:
                    rows = await statement.fetch(position, end, batch_size)
                    for row in rows:
                        yield RecordedEvent(*row)
                    if len(rows) < batch_size:
                        return
                    position = rows[-1][0]

    async def read_rows(
        self, from_position: int = 0, *, to_position: int | None = None, batch_size: int = 20_000
    ) -> AsyncIterator[Sequence[EventRow]]:
        end = to_position if to_position is not None else 2**62
        position = from_position
        with driver_errors():
            async with self._pool.acquire() as connection:
                statement = await connection.prepare(self._sql_rows)
                while True:
                    rows = await statement.fetch(position, end, batch_size)
                    if rows:
                        yield rows
                    if len(rows) < batch_size:
                        return
                    position = rows[-1][0]

    @contextlib.asynccontextmanager
    async def appends(self) -> AsyncIterator[asyncio.Event]:
        """LISTEN on the store's channel on a connection of its own while the context lasts."""
        appended = asyncio.Event()
        with driver_errors():
            listener = await asyncpg.connect(self._dsn)
        try:
            with driver_errors():
                await listener.add_listener(self.channel, lambda *_: appended.set())
            yield appended
        finally:
            with driver_errors():
                await listener.close()

    async def head(self) -> tuple[int, bytes]:
        with driver_errors():
            position, last_hash = await self._pool.fetchrow(self._sql_head)
        return int(position), bytes(last_hash)

    async def stream_version(self, stream_id: str) -> int:
        with driver_errors():
            rows = await self._pool.fetch(self._sql_versions, [stream_id])
        return int(rows[0][1]) if rows else 0

    async def recorded_outcomes(self, request_ids: Sequence[str]) -> dict[str, bytes]:
        with driver_errors():
            rows = await self._pool.fetch(self._sql_outcomes, list(request_ids))
        return {row[0]: bytes(row[1]) for row in rows}

    async def handled(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        with driver_errors():
            rows = await self._pool.fetch(
                self._sql_handled, [consumer] * len(event_ids), list(event_ids)
            )
        return {row[1] for row in rows}


async def _session_kept_clean(connection: asyncpg.Connection) -> None:
    """The pool's reset on release: nothing to send. asyncpg still rolls back a transaction
    left open; the store never changes session state on a pooled connection (no SET, LISTEN,
    cursors or session advisory locks: LISTEN has a connection of its own), so the default
    reset query would be one wasted round trip per use of the pool."""


async def _roll_back(connection: Any) -> None:
    """Roll back after a failed append, if the connection still can (a lost one cannot; a
    query cut short by a cancellation is rolled back by the pool when it takes the connection
    back)."""
    if connection.is_closed() or not connection.is_in_transaction():
        return
    with contextlib.suppress(Exception):
        await connection.execute("ROLLBACK")
