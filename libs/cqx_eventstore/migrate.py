"""Schema migrations: versioned plain SQL files, one PostgreSQL schema per service.

Files are named ``NNNN_title.sql`` and applied in version order inside one transaction, with
``search_path`` set to the service's schema, under an advisory lock (two services starting at
once cannot both migrate). ``schema_migrations`` records each file's checksum; a file changed
after it was applied is an error, never silently re-run. Afterwards the service's own role
is left exactly the rights of :mod:`cqx_eventstore.privileges`; then the ``always_title.sql``
files of the given folders run, every time (idempotent statements: ``CREATE TABLE IF NOT
EXISTS`` ... and the grants of a service's own tables, to ``:"service_role"``, which is
replaced by the role's quoted name).

Migrations run as an administrator, in a step of their own; a service that is given only its
role's DSN calls :func:`check_schema` instead, and stops if its schema is behind its code.
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
from cqx_eventstore.privileges import quoted, restrict_role
from cqx_kernel.errors import FailedPreconditionError

MIGRATIONS = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")
_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_ALWAYS = re.compile(r"^always_[a-z0-9_]+\.sql$")
ROLE_PLACEHOLDER = ':"service_role"'
RUN_THE_MIGRATIONS = "run the migration step as the administrator (docs/operations.md)"


class MigrationError(EventStoreError):
    """A migration file is malformed or was changed after it was applied."""

    default_reason = "MIGRATION_FAILED"


class SchemaNotReadyError(MigrationError, FailedPreconditionError):
    """The schema is not at the version the code expects (or the role cannot log in or read
    it): the migration step has not been run."""

    default_reason = "SCHEMA_NOT_MIGRATED"


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
            if _ALWAYS.match(path.name):
                continue
            match = _FILE.match(path.name)
            if not match:
                raise MigrationError(f"migration file name must be NNNN_title.sql: {path}")
            version = int(match.group(1))
            if version in found:
                raise MigrationError(f"two migrations with version {version}: {path}")
            found[version] = Migration(version, path.stem, path.read_text())
    return [found[v] for v in sorted(found)]


def load_always(*folders: Path) -> list[tuple[str, str]]:
    """The ``always_`` scripts of ``folders`` (name, text), in folder then name order."""
    return [
        (path.stem, path.read_text())
        for folder in folders
        for path in sorted(folder.glob("always_*.sql"))
        if _ALWAYS.match(path.name)
    ]


async def migrate(
    dsn: str, schema: str, *folders: Path, role_password: str | None = None
) -> list[str]:
    """Bring ``schema`` up to date; return the names of the migrations applied now.

    ``role_password`` sets the service role's password (needed where the database does not
    trust loopback connections, as in docker compose).
    """
    checked_identifier(schema)
    try:
        connection = await asyncpg.connect(dsn)
    except (asyncpg.InvalidAuthorizationSpecificationError, asyncpg.InvalidPasswordError) as e:
        raise MigrationError(
            f"cannot log in as the administrator to migrate {schema}: {e}"
        ) from None
    try:
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", schema)
            applied = await _apply(connection, schema, load_migrations(*folders))
            await restrict_role(connection, schema, service_role(schema))
            for _, script in load_always(*folders):
                await connection.execute(
                    script.replace(ROLE_PLACEHOLDER, quoted(service_role(schema)))
                )
            if role_password:
                # ALTER ROLE takes no bind parameters; quote_literal escapes the value.
                literal = await connection.fetchval("SELECT quote_literal($1)", role_password)
                await connection.execute(f"ALTER ROLE {service_role(schema)} PASSWORD {literal}")
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


async def check_schema(dsn: str, schema: str, *folders: Path, remedy: str = "") -> None:
    """Raise :class:`SchemaNotReadyError` unless every migration this code has is applied,
    unchanged, to ``schema`` (checked through ``dsn``, the service role's own)."""
    checked_identifier(schema)
    expected = load_migrations(*folders)
    remedy = remedy or RUN_THE_MIGRATIONS
    try:
        connection = await asyncpg.connect(dsn)
    except (asyncpg.InvalidAuthorizationSpecificationError, asyncpg.InvalidPasswordError) as e:
        raise SchemaNotReadyError(
            f"cannot log in as the role of {schema}: {e}; if its password is not the one the"
            f" migration step set, give that one; else {remedy}"
        ) from None
    try:
        rows = await connection.fetch(f"SELECT version, checksum FROM {schema}.schema_migrations")
    except (
        asyncpg.UndefinedTableError,
        asyncpg.InvalidSchemaNameError,
        asyncpg.InsufficientPrivilegeError,
    ) as error:
        raise SchemaNotReadyError(f"schema {schema} is not migrated ({error}); {remedy}") from None
    finally:
        await connection.close()
    done = {row["version"]: row["checksum"] for row in rows}
    missing = [m.name for m in expected if m.version not in done]
    changed = [m.name for m in expected if done.get(m.version, m.checksum) != m.checksum]
    if missing or changed:
        raise SchemaNotReadyError(
            f"schema {schema} is at version {max(done, default=0)}, this code expects"
            f" {expected[-1].version} (not applied: {', '.join(missing) or 'none'};"
            f" changed since applied: {', '.join(changed) or 'none'}); {remedy}"
        )


def service_dsn(dsn: str, schema: str, password: str | None = None) -> str:
    """The DSN of the service's own role, derived from an administrator's DSN."""
    prefix, _, rest = dsn.partition("://")
    host = rest.split("@", 1)[-1]
    secret = f":{quote(password, safe='')}" if password else ""
    return f"{prefix}://{service_role(schema)}{secret}@{host}"


def with_password(dsn: str, password: str) -> str:
    """``dsn`` (``postgresql://user@host/db``) with ``password`` added to its user part;
    a DSN that has a password already is refused (two sources of one secret)."""
    prefix, separator, rest = dsn.partition("://")
    user, at, host = rest.rpartition("@")
    if not separator or not at or not user:
        raise InvalidAppendError("a DSN to add a password to must name its user: user@host")
    if ":" in user:
        raise InvalidAppendError("the DSN has a password already; give the password once")
    return f"{prefix}://{user}:{quote(password, safe='')}@{host}"
