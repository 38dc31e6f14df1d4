"""The holdings projection in PostgreSQL: ``holdings`` and its one-row checkpoint.

The tables are created at start (not by a migration), so that dropping them and starting
again rebuilds them from position 0. An administrator's connection creates them and grants
the service's role what the projector needs; the projector then writes each batch of
changes and the checkpoint in one transaction, skipping what the checkpoint covers already.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from cqx_eventstore.migrate import checked_identifier

PROJECTION = "holdings"


@dataclass(frozen=True, slots=True)
class HoldingRow:
    """One row of the holdings table."""

    account_id: str
    instrument: str
    registry_tonnes: int
    trading_tonnes: int
    frozen_tonnes: int
    position: int


class ProjectionOutOfStepError(RuntimeError):
    """The table's checkpoint is not where the batch starts: read again from the checkpoint."""


# (account_id, instrument, registry, trading, frozen, last position that changed them)
RowChange = tuple[str, str, int, int, int, int]


class HoldingsTable:
    """The holdings projection of one registry schema."""

    def __init__(self, pool: Any, schema: str) -> None:
        self._pool = pool
        s = self.schema = checked_identifier(schema)
        self._sql_checkpoint = (
            f"SELECT position FROM {s}.projection_checkpoints WHERE name = '{PROJECTION}'"
        )
        self._sql_upsert = (
            f"INSERT INTO {s}.holdings AS h (account_id, instrument, registry_tonnes,"
            " trading_tonnes, frozen_tonnes, position) SELECT * FROM unnest($1::text[],"
            " $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])"
            " ON CONFLICT (account_id, instrument) DO UPDATE SET"
            " registry_tonnes = h.registry_tonnes + EXCLUDED.registry_tonnes,"
            " trading_tonnes = h.trading_tonnes + EXCLUDED.trading_tonnes,"
            " frozen_tonnes = h.frozen_tonnes + EXCLUDED.frozen_tonnes,"
            " position = EXCLUDED.position"
        )
        self._sql_advance = (
            f"UPDATE {s}.projection_checkpoints SET position = $1 WHERE name = '{PROJECTION}'"
        )

    async def create(self, admin_dsn: str, role: str) -> None:
        """Create the tables unless they exist, and let ``role`` use them."""
        s = self.schema
        connection = await asyncpg.connect(admin_dsn)
        try:
            async with connection.transaction():
                await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", s)
                quoted_role = '"' + role.replace('"', '""') + '"'
                await connection.execute(_DDL.format(s=s, p=PROJECTION, role=quoted_role))
        finally:
            await connection.close()

    async def checkpoint(self) -> int:
        """The last log position the table reflects."""
        position: int = await self._pool.fetchval(self._sql_checkpoint)
        return position

    async def apply(self, changes: Sequence[RowChange], after: int, through: int) -> bool:
        """Add the changes of the events in (``after``, ``through``] and move the checkpoint
        to ``through``, in one transaction.

        Does nothing (and returns False) if the checkpoint had reached ``through`` already;
        raises :class:`ProjectionOutOfStepError` if it is anywhere but at ``after``.
        """
        async with self._pool.acquire() as connection, connection.transaction():
            done = await connection.fetchval(self._sql_checkpoint + " FOR UPDATE")
            if done >= through:
                return False
            if done != after:
                raise ProjectionOutOfStepError(f"checkpoint at {done}, batch after {after}")
            if changes:
                columns = [list(column) for column in zip(*changes, strict=True)]
                await connection.execute(self._sql_upsert, *columns)
            await connection.execute(self._sql_advance, through)
            return True

    async def rows(self) -> list[HoldingRow]:
        """Every row, in (account, instrument) order."""
        records = await self._pool.fetch(
            "SELECT account_id, instrument, registry_tonnes, trading_tonnes, frozen_tonnes,"
            f" position FROM {self.schema}.holdings ORDER BY account_id, instrument"
        )
        return [HoldingRow(*record) for record in records]


_DDL = """
CREATE TABLE IF NOT EXISTS {s}.holdings (
    account_id      text   NOT NULL,
    instrument      text   NOT NULL,
    registry_tonnes bigint NOT NULL,
    trading_tonnes  bigint NOT NULL,
    frozen_tonnes   bigint NOT NULL,
    position        bigint NOT NULL,
    PRIMARY KEY (account_id, instrument)
);
CREATE TABLE IF NOT EXISTS {s}.projection_checkpoints (
    name     text   PRIMARY KEY,
    position bigint NOT NULL
);
INSERT INTO {s}.projection_checkpoints (name, position) VALUES ('{p}', 0)
    ON CONFLICT (name) DO NOTHING;
GRANT SELECT, INSERT, UPDATE, DELETE ON {s}.holdings, {s}.projection_checkpoints TO {role};
"""
