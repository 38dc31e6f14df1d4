"""Schema migrations: versioned plain SQL files, one PostgreSQL schema per service.

Files are named ``NNNN_title.sql`` and applied in version order inside one transaction, with
``search_path`` set to the service's schema, under an advisory lock (two services starting at
once cannot both migrate). ``schema_migrations`` records each file's checksum; a file changed
after it was applied is an error, never silently re-run. Afterwards the service's own role
is (re)granted what it needs and denied what would let it rewrite history.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg

from cqx_eventstore.errors import EventStoreError, InvalidAppendError

MIGRATIONS = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")
_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# The log: the service role may read and append, never change or remove.
APPEND_ONLY_TABLES = ("events", "idempotency", "tracking")


class MigrationError(EventStoreError):
    """A migration file is malformed or was changed after it was applied."""

    default_reason = "MIGRATION_FAILED"


@dataclass(frozen=True)
class Migration:
    """One SQL file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file's text."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def checked_identifier(name: str) -> str:
    """A schema or role name we accept: lower-case letters, digits and underscores."""
    if not _NAME.match(name):
        raise InvalidAppendError(f"not a valid schema name: {name!r}", reason="INVALID_SCHEMA")
    return name


def service_role(schema: str) -> str:
    """The login role a service uses for its schema."""
    return f"cqx_{checked_identifier(schema)}"


def load_migrations(*folders: Path) -> list[Migration]:
    """The event store's migrations followed by those in ``folders``, in version order."""
    found: dict[int, Migration] = {}
    for folder in (MIGRATIONS, *folders):
        for path in sorted(folder.glob("*.sql")):
            match = _FILE.match(path.name)
            if not match:
                raise MigrationError(f"migration file name must be NNNN_title.sql: {path}")
            version = int(match.group(1))
            if version in found:
                raise MigrationError(f"two migrations with version {version}: {path}")
            found[version] = Migration(version, path.stem, path.read_text())
    return [found[v] for v in sorted(found)]


async def migrate(
    dsn: str, schema: str, *folders: Path, role_password: str | None = None
) -> list[str]:
    """Bring ``schema`` up to date; return the names of the migrations applied now.

    ``role_password`` sets the service role's password (needed where the database does not
    trust loopback connections, as in docker compose).
    """
    checked_identifier(schema)
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", schema)
            applied = await _apply(connection, schema, load_migrations(*folders))
            await _grant(connection, schema)
            if role_password:
                # ALTER ROLE takes no bind parameters; quote_literal escapes the value.
                quoted = await connection.fetchval("SELECT quote_literal($1)", role_password)
                await connection.execute(f"ALTER ROLE {service_role(schema)} PASSWORD {quoted}")
        return applied
    finally:
        await connection.close()


async def _apply(connection: Any, schema: str, migrations: list[Migration]) -> list[str]:
    await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    await connection.execute(f"SET LOCAL search_path TO {schema}")
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY,"
        " name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL"
        " DEFAULT now())"
    )
    done = {r["version"]: r for r in await connection.fetch("SELECT * FROM schema_migrations")}
    applied: list[str] = []
    for migration in migrations:
        if migration.version in done:
            if done[migration.version]["checksum"] != migration.checksum:
                raise MigrationError(f"{migration.name} was changed after it was applied")
            continue
        await connection.execute(migration.sql)
        await connection.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            migration.version,
            migration.name,
            migration.checksum,
        )
        applied.append(migration.name)
    return applied


async def _grant(connection: Any, schema: str) -> None:
    role = service_role(schema)
    await connection.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN"
        f" CREATE ROLE {role} LOGIN; END IF; END $$"
    )
    log = ", ".join(f"{schema}.{t}" for t in APPEND_ONLY_TABLES)
    for statement in (
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {log} FROM {role}",
        f"REVOKE ALL ON {schema}.schema_migrations FROM {role}",
        f"GRANT SELECT ON {schema}.schema_migrations TO {role}",
    ):
        await connection.execute(statement)


def service_dsn(dsn: str, schema: str, password: str | None = None) -> str:
    """The DSN of the service's own role, derived from an administrator's DSN."""
    prefix, _, rest = dsn.partition("://")
    host = rest.split("@", 1)[-1]
    secret = f":{quote(password, safe='')}" if password else ""
    return f"{prefix}://{service_role(schema)}{secret}@{host}"
