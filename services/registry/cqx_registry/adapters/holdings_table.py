"""The holdings projection in PostgreSQL: ``holdings`` and its one-row checkpoint.

The tables are made by the migration step (``migrations/always_holdings_projection.sql``,
run at every migration, so that tables an administrator dropped come back empty and are
rebuilt from position 0 at the next start); the administrator owns them, the registry's role
may read, add and change rows. The projector writes each batch of changes and the checkpoint
in one transaction, skipping what the checkpoint covers already.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cqx_eventstore.migrate import RUN_THE_MIGRATIONS, SchemaNotReadyError, checked_identifier

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

    async def check_exists(self) -> None:
        """Raise :class:`SchemaNotReadyError` if the tables are missing (dropped since the
        last migration step: run it again, and the next start rebuilds them)."""
        s = self.schema
        found = await self._pool.fetchval(
            "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL",
            f"{s}.holdings",
            f"{s}.projection_checkpoints",
        )
        if not found:
            raise SchemaNotReadyError(
                f"the holdings projection tables of {s} are missing; {RUN_THE_MIGRATIONS}"
            )

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
