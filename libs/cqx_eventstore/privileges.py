"""What a service's PostgreSQL role may do: exactly what its code needs, and nothing more.

The administrator who migrates owns the schema and every object in it; the service role
``cqx_<schema>`` owns nothing (an owner can always ALTER, DROP or TRUNCATE, and disable the
append-only triggers), belongs to no other role, has no attribute beyond LOGIN, and holds:

- USAGE on its own schema (no CREATE), and no access to any other schema (the schema's
  default grants to PUBLIC are revoked, so another service's role cannot even look in);
- on each table, the privileges in :data:`STORE_PRIVILEGES` (the log: SELECT and INSERT
  only), plus what a service's own ``always_`` migration scripts grant on its own tables;
- USAGE on the dead letters' id sequence.

:func:`restrict_role` is run by every migration, after the versioned files, so a database
made by an older version (where the role might own objects or hold UPDATE, DELETE or
TRUNCATE) is brought to exactly this state by the next migration step.
"""

from __future__ import annotations

from typing import Any

# Table -> the service role's privileges on it. Every other table in the schema: none.
STORE_PRIVILEGES: dict[str, str] = {
    "events": "SELECT, INSERT",  # the log: append and read, never change
    "idempotency": "SELECT, INSERT",  # a recorded outcome is part of history
    "tracking": "SELECT, INSERT",  # which foreign events were handled
    "head": "SELECT, UPDATE",  # one row: the append lock and the hash chain's tip
    "relay_checkpoints": "SELECT, INSERT, UPDATE",  # how far the relay has published
    "dead_letters": "SELECT, INSERT",
    "chain_tips": "SELECT, INSERT, UPDATE",  # the last envelope each consumer accepted
    "schema_migrations": "SELECT",  # a runtime without the admin DSN checks the version
}
ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"


def quoted(identifier: str) -> str:
    """``identifier`` as a PostgreSQL quoted identifier."""
    return '"' + identifier.replace('"', '""') + '"'


async def restrict_role(connection: Any, schema: str, role: str) -> None:
    """Create ``role`` if missing and leave it exactly the rights of the module docstring.

    Runs in the caller's transaction, as the administrator (who becomes the owner of what
    the role owned).
    """
    s, r = quoted(schema), quoted(role)
    # GRANT and REVOKE rewrite one catalog row per object; two migrations changing the
    # database's row (or the public schema's) at once would fail with "tuple concurrently
    # updated", so the part below runs one migration at a time, whatever the schema.
    await connection.execute("SELECT pg_advisory_xact_lock(hashtext('cqx: role privileges'))")
    exists = await connection.fetchval("SELECT true FROM pg_roles WHERE rolname = $1", role)
    verb = "ALTER" if exists else "CREATE"
    await connection.execute(f"{verb} ROLE {r} {ROLE_ATTRIBUTES}")
    # Own nothing, then hold nothing (DROP OWNED, once the role owns nothing, only revokes
    # every privilege granted to it in this database, stray ones in other schemas included).
    await connection.execute(f"REASSIGN OWNED BY {r} TO CURRENT_USER")
    await connection.execute(f"DROP OWNED BY {r}")
    for granted in await connection.fetch(
        "SELECT roleid::regrole::text AS name FROM pg_auth_members"
        " WHERE member = (SELECT oid FROM pg_roles WHERE rolname = $1)",
        role,
    ):
        await connection.execute(f"REVOKE {granted['name']} FROM {r}")
    database = quoted(await connection.fetchval("SELECT current_database()"))
    for statement in (
        # The database: connect, but no temporary tables; no CREATE in the public schema.
        f"REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {database} TO {r}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        # The schema: nobody but the owner and this role may look in; this role may not CREATE.
        f"REVOKE ALL ON SCHEMA {s} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM PUBLIC",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM PUBLIC",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {s} FROM PUBLIC",
    ):
        await connection.execute(statement)
    for table, privileges in STORE_PRIVILEGES.items():
        await connection.execute(f"GRANT {privileges} ON {s}.{quoted(table)} TO {r}")
    sequence = await connection.fetchval(
        "SELECT pg_get_serial_sequence($1, 'id')", f"{s}.dead_letters"
    )
    await connection.execute(f"GRANT USAGE ON SEQUENCE {sequence} TO {r}")
