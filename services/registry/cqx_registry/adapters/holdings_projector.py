"""The holdings projector: tails the registry's log and keeps the ``holdings`` table.

Each batch of events becomes one change per (account, instrument) — the sum of the events'
deltas, at the last position that changed that holding — written with the checkpoint in one
transaction, so a restart neither skips nor repeats anything. The rows depend only on the log,
never on how it was cut into batches: a rebuild from position 0 gives the same table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from cqx_eventstore import EventStore, RecordedEvent
from cqx_registry.adapters.codec import decode
from cqx_registry.adapters.holdings_table import HoldingRow, HoldingsTable, RowChange
from cqx_registry.domain.deltas import holding_deltas

log = logging.getLogger("cqx.registry.projector")
RETRY_SECONDS = 1.0


def row_changes(events: Sequence[RecordedEvent]) -> list[RowChange]:
    """What ``events`` change in the table, one change per holding they touch."""
    sums: dict[tuple[str, str], list[int]] = {}
    for event in events:
        for delta in holding_deltas(decode(event.event_type, event.payload, event.stream_id)):
            if delta.registry == delta.trading == delta.frozen == 0:
                continue  # a change of pending quantity only: not a column of the table
            parts = sums.setdefault((delta.account_id, delta.instrument), [0, 0, 0, 0])
            parts[0] += delta.registry
            parts[1] += delta.trading
            parts[2] += delta.frozen
            parts[3] = event.position
    return [(a, i, r, t, f, p) for (a, i), (r, t, f, p) in sums.items()]


class HoldingsProjector:
    """Keeps the holdings table up to date with the log (see the module docstring)."""

    def __init__(self, store: EventStore, table: HoldingsTable) -> None:
        self._store = store
        self._table = table
        self._task: asyncio.Task[None] | None = None

    async def prepare(self) -> None:
        """Check that the migration step made the tables (after a drop: empty, checkpoint 0)."""
        await self._table.check_exists()

    async def catch_up(self) -> int:
        """Project everything recorded so far; return the checkpoint reached."""
        head, _ = await self._store.head()
        position = await self._table.checkpoint()
        while position < head:
            batch = [e async for e in self._store.read_all(position, to_position=head)]
            await self._table.apply(row_changes(batch), position, batch[-1].position)
            position = batch[-1].position
        return position

    def start(self) -> None:
        """Follow the log in the background until :meth:`stop`."""
        self._task = asyncio.create_task(self._follow_forever(), name="registry-projector")

    async def stop(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def rows(self) -> list[HoldingRow]:
        """The table's rows."""
        return await self._table.rows()

    async def checkpoint(self) -> int:
        """The last position the table reflects."""
        return await self._table.checkpoint()

    async def _follow_forever(self) -> None:
        while True:
            try:
                await self._follow()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database went away: start over from the checkpoint
                log.exception("holdings projector failed; retrying in %.0f s", RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)

    async def _follow(self) -> None:
        position = await self._table.checkpoint()
        async for batch in self._store.subscribe_batches(position):
            await self._table.apply(row_changes(batch), position, batch[-1].position)
            position = batch[-1].position
