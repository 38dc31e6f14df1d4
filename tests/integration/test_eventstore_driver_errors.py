"""The PostgreSQL adapter's failures, provoked on a real server: each comes out as the event
store's own typed error (never an asyncpg exception), and a failed append records nothing."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from asyncpg.transaction import Transaction

from cqx_eventstore import (
    AppendOnlyViolationError,
    AppendRequest,
    Committed,
    ConcurrencyError,
    EventStoreBusyError,
    EventStoreDatabaseError,
    GroupCommitter,
    NewEvent,
    StoreUnavailableError,
    UnitOfWork,
)
from cqx_eventstore.hashing import GENESIS_HASH
from cqx_eventstore.migrate import migrate, service_dsn, service_role
from cqx_eventstore.pgerrors import driver_errors
from cqx_eventstore.postgres import DEFAULT_LOCK_TIMEOUT, PostgresEventStore
from cqx_kernel.errors import UnavailableError


def one_event() -> list[NewEvent]:
    return [NewEvent(str(uuid.uuid4()), "cqx.test.v1.Happened", b"x")]


@pytest.fixture
async def admin(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    yield connection
    await connection.close()


async def open_store(database_url: str, schema: str, lock_timeout: float) -> PostgresEventStore:
    await migrate(database_url, schema)
    dsn = service_dsn(database_url, schema)
    return await PostgresEventStore.connect(dsn, schema, lock_timeout=lock_timeout)


async def hold_the_head_row(admin: asyncpg.Connection, schema: str) -> Transaction:
    """Lock the store's head row from another connection, as a second writer would."""
    holder = admin.transaction()
    await holder.start()
    await admin.execute(f"SELECT * FROM {schema}.head FOR UPDATE")
    return holder


async def wait_until_blocked_on_a_lock(admin: asyncpg.Connection, schema: str) -> int:
    """The backend id of the store's connection once it waits for a lock."""
    for _ in range(200):
        pid = await admin.fetchval(
            "SELECT pid FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'",
            service_role(schema),
        )
        if pid is not None:
            return int(pid)
        await asyncio.sleep(0.05)
    raise AssertionError("the store's append never waited for the lock")


async def test_an_append_that_cannot_lock_the_head_within_the_timeout_is_busy_and_writes_nothing(
    database_url: str, unique_name: str, admin: asyncpg.Connection
) -> None:
    store = await open_store(database_url, unique_name, lock_timeout=0.5)
    try:
        assert await store.append("s", 0, one_event()) == (1,)
        head = await store.head()
        holder = await hold_the_head_row(admin, unique_name)
        started = time.monotonic()
        with pytest.raises(EventStoreBusyError) as caught:
            await store.append("s", 1, one_event())
        waited = time.monotonic() - started
        assert 0.4 < waited < 3.0
        assert isinstance(caught.value, UnavailableError)
        assert caught.value.retriable
        assert (caught.value.reason, caught.value.metadata["sqlstate"]) == (
            "EVENT_STORE_BUSY",
            "55P03",
        )
        await holder.rollback()
        assert await store.head() == head
        assert len(await store.read_stream("s")) == 1
        assert await store.append("s", 1, one_event()) == (2,)
        assert await store.verify() is None
    finally:
        await store.close()


@pytest.mark.parametrize("busy_retries", [0, 20])
async def test_group_commit_commits_a_busy_batch_again_in_order_or_refuses_it_whole(
    database_url: str, unique_name: str, admin: asyncpg.Connection, busy_retries: int
) -> None:
    store = await open_store(database_url, unique_name, lock_timeout=0.2)
    committer = GroupCommitter(store, busy_retries=busy_retries)
    committer.start()
    try:
        holder = await hold_the_head_row(admin, unique_name)
        commits = [
            committer.submit(UnitOfWork([AppendRequest(f"s{i}", 0, one_event())])) for i in range(3)
        ]
        await asyncio.sleep(0.7)  # more than one lock timeout
        await holder.rollback()
        results = await asyncio.wait_for(asyncio.gather(*commits, return_exceptions=True), 10)
    finally:
        await committer.stop()
        await store.close()
    if busy_retries:
        assert results == [Committed((1,)), Committed((2,)), Committed((3,))]
    else:
        assert all(isinstance(r, EventStoreBusyError) for r in results)


async def test_the_lock_timeout_defaults_to_five_seconds(
    database_url: str, unique_name: str
) -> None:
    await migrate(database_url, unique_name)
    store = await PostgresEventStore.connect(service_dsn(database_url, unique_name), unique_name)
    try:
        assert store.lock_timeout == DEFAULT_LOCK_TIMEOUT == 5.0
    finally:
        await store.close()


async def test_a_connection_lost_during_an_append_is_unavailable_and_the_store_recovers(
    database_url: str, unique_name: str, admin: asyncpg.Connection
) -> None:
    store = await open_store(database_url, unique_name, lock_timeout=30)
    try:
        holder = await hold_the_head_row(admin, unique_name)
        append = asyncio.create_task(store.append("s", 0, one_event()))
        pid = await wait_until_blocked_on_a_lock(admin, unique_name)
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
        with pytest.raises(StoreUnavailableError) as caught:
            await asyncio.wait_for(append, 10)
        assert caught.value.retriable
        assert not isinstance(caught.value.__cause__, StoreUnavailableError)
        await holder.rollback()
        assert await store.head() == (0, GENESIS_HASH)
        assert await store.append("s", 0, one_event()) == (1,)
    finally:
        await store.close()


async def test_a_database_that_cannot_be_reached_is_unavailable(unique_name: str) -> None:
    with pytest.raises(StoreUnavailableError):
        await PostgresEventStore.connect("postgresql://nobody@127.0.0.1:1/none", unique_name)


async def test_a_version_recorded_by_a_writer_that_skipped_the_lock_is_a_concurrency_error(
    database_url: str, unique_name: str, admin: asyncpg.Connection
) -> None:
    store = await open_store(database_url, unique_name, lock_timeout=30)
    try:
        intruder = admin.transaction()
        await intruder.start()
        await admin.execute(
            f"INSERT INTO {unique_name}.events VALUES (100, 'order, 7', 1, $1, 't', '', '{{}}',"
            " now(), '', '')",
            uuid.uuid4(),
        )
        append = asyncio.create_task(store.append("order, 7", 0, one_event()))
        await wait_until_blocked_on_a_lock(admin, unique_name)  # on the unique index
        await intruder.commit()
        with pytest.raises(ConcurrencyError) as caught:
            await asyncio.wait_for(append, 10)
        conflict = caught.value
        assert (conflict.stream_id, conflict.expected, conflict.actual) == ("order, 7", 0, 1)
        assert await store.head() == (0, GENESIS_HASH)
        assert [e.position for e in await store.read_stream("order, 7")] == [100]
    finally:
        await store.close()


async def test_the_append_only_triggers_refusal_is_a_typed_error(
    database_url: str, unique_name: str, admin: asyncpg.Connection
) -> None:
    store = await open_store(database_url, unique_name, lock_timeout=5)
    try:
        await store.append("s", 0, one_event())
        # Only a superuser gets past the privileges to meet the trigger.
        with pytest.raises(AppendOnlyViolationError) as caught, driver_errors():
            await admin.execute(f"DELETE FROM {unique_name}.events")
        assert caught.value.reason == "EVENT_LOG_APPEND_ONLY"
        assert caught.value.metadata["sqlstate"] == "23001"
        assert len(await store.read_stream("s")) == 1
    finally:
        await store.close()


async def test_any_other_database_refusal_carries_its_sqlstate(
    database_url: str, unique_name: str
) -> None:
    store = await open_store(database_url, unique_name, lock_timeout=5)
    try:
        # PostgreSQL text cannot hold NUL: the server refuses the value, in a read and in the
        # COPY of an append alike.
        with pytest.raises(EventStoreDatabaseError) as read:
            await store.read_stream("nul\x00byte")
        with pytest.raises(EventStoreDatabaseError) as append:
            await store.append("nul\x00byte", 0, one_event())
        for refused in (read.value, append.value):
            assert refused.sqlstate == refused.metadata["sqlstate"] == "22021"
            assert isinstance(refused.__cause__, asyncpg.PostgresError)
        assert await store.head() == (0, GENESIS_HASH)
        async with store.pool.acquire() as connection:
            with pytest.raises(EventStoreDatabaseError) as denied, driver_errors():
                await connection.execute(f"DELETE FROM {unique_name}.events")
        assert denied.value.sqlstate == "42501"  # the service role may not rewrite the log
    finally:
        await store.close()
