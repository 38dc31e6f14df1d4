"""A service's PostgreSQL role, attacked: logged in as the role, every way of changing its
log, of taking ownership or of reading another service's schema is refused, and the log is
unchanged afterwards. The role owns nothing and holds exactly what its code needs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from cqx_eventstore import NewEvent
from cqx_eventstore.migrate import migrate, service_dsn, service_role
from cqx_eventstore.postgres import PostgresEventStore
from cqx_eventstore.privileges import STORE_PRIVILEGES

PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")

# Statements a service role might try on its own schema ({s}) to rewrite or escape its log.
ATTACKS = [
    "UPDATE {s}.events SET payload = 'forged'",
    "DELETE FROM {s}.events",
    "TRUNCATE {s}.events",
    "UPDATE {s}.idempotency SET outcome = 'forged'",
    "DELETE FROM {s}.tracking",
    "TRUNCATE {s}.idempotency, {s}.tracking",
    "DELETE FROM {s}.dead_letters",
    "DELETE FROM {s}.schema_migrations",
    "INSERT INTO {s}.schema_migrations (version, name, checksum) VALUES (9999, 'x', 'x')",
    "ALTER TABLE {s}.events DISABLE TRIGGER events_append_only",
    "ALTER TABLE {s}.events ADD COLUMN forged text",
    "ALTER TABLE {s}.events RENAME TO old_events",
    "DROP TABLE {s}.events",
    "DROP SCHEMA {s} CASCADE",
    "ALTER SCHEMA {s} RENAME TO forged",
    "DROP FUNCTION {s}.reject_log_change() CASCADE",
    "CREATE TABLE {s}.events_copy (position bigint)",
    "CREATE TABLE public.events_copy (position bigint)",
    "CREATE TEMPORARY TABLE events_copy (position bigint)",
    # a grant by a non-owner grants nothing (a warning), so the update after it still fails
    "GRANT UPDATE ON {s}.events TO CURRENT_USER; UPDATE {s}.events SET payload = 'forged'",
    "SET session_replication_role = replica",
    "ALTER ROLE CURRENT_USER SUPERUSER",
]


def one_event() -> list[NewEvent]:
    return [NewEvent(str(uuid.uuid4()), "cqx.test.v1.Happened", b"x")]


@pytest.fixture
async def store(database_url: str, unique_name: str) -> AsyncIterator[PostgresEventStore]:
    """A migrated store, opened as its service role, with one event on one stream."""
    await migrate(database_url, unique_name)
    store = await PostgresEventStore.connect(service_dsn(database_url, unique_name), unique_name)
    await store.append("s", 0, one_event())
    yield store
    await store.close()


@pytest.fixture
async def admin(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    yield connection
    await connection.close()


async def snapshot(admin: asyncpg.Connection, schema: str) -> list[Any]:
    """Everything an attack on the log could change: the rows, the head, the triggers."""
    return [
        [tuple(r) for r in await admin.fetch(f"SELECT * FROM {schema}.events ORDER BY 1")],
        tuple(await admin.fetchrow(f"SELECT * FROM {schema}.head")),
        await admin.fetchval(f"SELECT count(*) FROM {schema}.schema_migrations"),
        sorted(
            await admin.fetch(
                "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = $1::regclass",
                f"{schema}.events",
            )
        ),
        await admin.fetch(
            "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0"
            " AND NOT attisdropped ORDER BY attnum",
            f"{schema}.events",
        ),
    ]


@pytest.mark.parametrize("attack", ATTACKS)
async def test_the_service_role_cannot_change_take_or_escape_its_log(
    store: PostgresEventStore, admin: asyncpg.Connection, attack: str
) -> None:
    before = await snapshot(admin, store.schema)
    async with store.pool.acquire() as connection:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute(attack.format(s=store.schema))
    assert await snapshot(admin, store.schema) == before
    assert await store.verify() is None
    assert [e.stream_version for e in await store.read_stream("s")] == [1]
    assert not await admin.fetchval("SELECT to_regclass('public.events_copy') IS NOT NULL")


@pytest.mark.parametrize(
    "attack",
    [
        "SELECT count(*) FROM {other}.events",
        "SELECT count(*) FROM {other}.idempotency",
        'INSERT INTO {other}.dead_letters (consumer, topic, partition, "offset", reason)'
        " VALUES ('x', 'x', 0, 0, 'forged')",
        "INSERT INTO {other}.events SELECT * FROM {own}.events",
        "UPDATE {other}.head SET position = 0",
    ],
)
async def test_the_service_role_cannot_touch_another_services_schema(
    store: PostgresEventStore, admin: asyncpg.Connection, database_url: str, attack: str
) -> None:
    other = f"{store.schema}_other"
    await migrate(database_url, other)
    victim = await PostgresEventStore.connect(service_dsn(database_url, other), other)
    try:
        await victim.append("v", 0, one_event())
        before = await snapshot(admin, other)
        async with store.pool.acquire() as connection:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(attack.format(other=other, own=store.schema))
        assert await snapshot(admin, other) == before
        assert await admin.fetchval(f"SELECT count(*) FROM {other}.dead_letters") == 0
    finally:
        await victim.close()


async def test_the_role_owns_nothing_and_holds_exactly_what_its_code_needs(
    store: PostgresEventStore, admin: asyncpg.Connection
) -> None:
    await assert_least_privilege(admin, store.schema)


async def assert_least_privilege(admin: asyncpg.Connection, schema: str) -> None:
    """The role of ``schema`` owns nothing, belongs to no role, has no attribute, may create
    nothing, and holds on each table exactly the privileges of STORE_PRIVILEGES."""
    role = service_role(schema)
    owned = await admin.fetch(
        "SELECT relname FROM pg_class WHERE relowner = $1::regrole"
        " UNION ALL SELECT nspname FROM pg_namespace WHERE nspowner = $1::regrole"
        " UNION ALL SELECT proname FROM pg_proc WHERE proowner = $1::regrole",
        role,
    )
    assert owned == []
    held = {
        (table, privilege)
        for table in await _tables(admin, schema)
        for privilege in PRIVILEGES
        if await admin.fetchval(
            "SELECT has_table_privilege($1, $2, $3)", role, f"{schema}.{table}", privilege
        )
    }
    assert held == {
        (table, privilege.strip())
        for table, privileges in STORE_PRIVILEGES.items()
        for privilege in privileges.split(",")
    }
    row = await admin.fetchrow(
        "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,"
        " has_schema_privilege($1, $2, 'CREATE') AS create_here,"
        " has_schema_privilege($1, 'public', 'CREATE') AS create_public,"
        " has_database_privilege($1, current_database(), 'TEMPORARY') AS temporary,"
        " (SELECT count(*) FROM pg_auth_members WHERE member = r.oid) AS memberships"
        " FROM pg_roles r WHERE rolname = $1",
        role,
        schema,
    )
    assert not any(row.values())


async def test_an_older_database_is_brought_to_least_privilege_by_the_migration_step(
    store: PostgresEventStore, admin: asyncpg.Connection, database_url: str
) -> None:
    """A schema made by an older version, where the role owned the log and held every
    privilege: the next migration step takes it all back."""
    schema, role = store.schema, service_role(store.schema)
    for statement in (
        f"DROP TRIGGER tracking_append_only ON {schema}.tracking",
        f"DROP TRIGGER tracking_no_truncate ON {schema}.tracking",
        f"DELETE FROM {schema}.schema_migrations WHERE version = 3",
        f"ALTER SCHEMA {schema} OWNER TO {role}",
        f"ALTER TABLE {schema}.events OWNER TO {role}",
        f"GRANT ALL ON ALL TABLES IN SCHEMA {schema} TO {role}, PUBLIC",
        f"GRANT ALL ON SCHEMA {schema} TO PUBLIC",
    ):
        await admin.execute(statement)
    async with store.pool.acquire() as connection:  # the hole this closes: owners may ALTER
        await connection.execute(f"ALTER TABLE {schema}.events DISABLE TRIGGER USER")
        await connection.execute(f"ALTER TABLE {schema}.events ENABLE TRIGGER USER")
    assert await migrate(database_url, schema) == ["0003_least_privilege"]
    before = await snapshot(admin, schema)
    async with store.pool.acquire() as connection:
        for attack in ATTACKS:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(attack.format(s=schema))
    assert await snapshot(admin, schema) == before
    await assert_least_privilege(admin, schema)
    await store.append("s", 1, one_event())  # and the service still works
    assert await store.verify() is None


async def test_the_migration_step_gives_the_role_a_scram_password(
    database_url: str, unique_name: str, admin: asyncpg.Connection
) -> None:
    await migrate(database_url, unique_name, role_password="it's a s3cret")
    stored = await admin.fetchval(
        "SELECT rolpassword FROM pg_authid WHERE rolname = $1", service_role(unique_name)
    )
    assert stored.startswith("SCRAM-SHA-256$")
    assert "s3cret" not in stored


async def _tables(admin: asyncpg.Connection, schema: str) -> list[str]:
    rows = await admin.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
    return [row["tablename"] for row in rows]


async def test_many_schemas_migrated_at_once_all_succeed(
    database_url: str, unique_name: str, admin: asyncpg.Connection
) -> None:
    """Services starting together migrate together; the database-wide grants they share
    must not make one of them fail ("tuple concurrently updated")."""
    schemas = [f"{unique_name}_{i}" for i in range(8)]
    await asyncio.gather(*(migrate(database_url, schema) for schema in schemas))
    for schema in schemas:
        await assert_least_privilege(admin, schema)
