"""What only the PostgreSQL event store can show: the database itself enforces the rules."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from cqx_eventstore import ConcurrencyError, NewEvent
from cqx_eventstore.migrate import MigrationError, migrate, service_dsn
from cqx_eventstore.postgres import PostgresEventStore


def one_event() -> list[NewEvent]:
    return [NewEvent(str(uuid.uuid4()), "cqx.test.v1.Happened", b"x")]


@pytest.fixture
async def store(database_url: str, unique_name: str) -> AsyncIterator[PostgresEventStore]:
    await migrate(database_url, unique_name)
    store = await PostgresEventStore.connect(service_dsn(database_url, unique_name), unique_name)
    await store.append("s", 0, one_event())
    yield store
    await store.close()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE {s}.events SET payload = 'y'", "DELETE FROM {s}.events", "TRUNCATE {s}.events"],
)
async def test_the_service_role_cannot_rewrite_history(
    store: PostgresEventStore, statement: str
) -> None:
    async with store.pool.acquire() as connection:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute(statement.format(s=store.schema))
    assert len(await store.read_stream("s")) == 1


@pytest.mark.parametrize(
    "statement",
    ["UPDATE {s}.events SET payload = 'y'", "DELETE FROM {s}.events", "TRUNCATE {s}.events"],
)
async def test_even_a_superuser_is_stopped_by_the_append_only_trigger(
    store: PostgresEventStore, database_url: str, statement: str
) -> None:
    admin = await asyncpg.connect(database_url)
    try:
        with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
            await admin.execute(statement.format(s=store.schema))
    finally:
        await admin.close()
    assert await store.verify() is None
    assert len(await store.read_stream("s")) == 1


async def test_racing_appends_to_one_stream_give_one_winner_and_a_typed_conflict(
    store: PostgresEventStore,
) -> None:
    results = await asyncio.gather(
        *(store.append("race", 0, one_event()) for _ in range(10)), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, tuple)]
    assert len(winners) == 1
    assert all(isinstance(r, ConcurrencyError) for r in results if r not in winners)
    assert await store.stream_version("race") == 1


async def test_migrations_are_applied_once_and_a_changed_file_is_refused(
    database_url: str, unique_name: str, tmp_path: Path
) -> None:
    first = await migrate(database_url, unique_name)
    assert first == ["0001_event_store", "0002_bus", "0003_least_privilege", "0004_chain_tips"]
    assert await migrate(database_url, unique_name) == []
    extra = tmp_path / "0100_holdings.sql"
    extra.write_text("CREATE TABLE holdings (account text PRIMARY KEY, tonnes bigint);")
    assert await migrate(database_url, unique_name, tmp_path) == ["0100_holdings"]
    extra.write_text("CREATE TABLE holdings (account text PRIMARY KEY);")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        await migrate(database_url, unique_name, tmp_path)


async def test_the_migrate_and_verify_commands_work_from_the_shell(
    database_url: str, unique_name: str
) -> None:
    async def run(*args: str) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cqx_eventstore", *args, "--dsn", database_url,
            "--schema", unique_name,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await process.communicate()
        return process.returncode or 0, out.decode()

    assert await run("migrate") == (
        0,
        f"{unique_name}: applied 4 migration(s) 0001_event_store 0002_bus 0003_least_privilege"
        " 0004_chain_tips\n",
    )
    store = await PostgresEventStore.connect(service_dsn(database_url, unique_name), unique_name)
    await store.append("s", 0, one_event() * 1)
    await store.append("s", 1, one_event())
    await store.close()
    assert await run("verify") == (0, f"{unique_name}: hash chain intact over 2 event(s)\n")
    admin = await asyncpg.connect(database_url)
    await admin.execute("SET session_replication_role = replica")
    await admin.execute(f"UPDATE {unique_name}.events SET event_type = 'x' WHERE position = 2")
    await admin.close()
    code, out = await run("verify")
    assert (code, out) == (1, f"{unique_name}: hash chain broken at position 2\n")
