"""Group commit: units of work that arrive together are committed in one transaction.

Callers await :meth:`GroupCommitter.commit`, which validates and hashes their unit in the
caller's own task (work that needs no lock, done while the writer waits on the database); a
single writer task takes every unit queued meanwhile (up to ``max_batch``), commits them with
:meth:`EventStore.commit_prepared`, and answers each caller after the commit. Under load, one
fsync serves many commands.

A batch refused as busy (:class:`EventStoreBusyError`: the store's lock was not granted in
time) was rolled back whole, so the writer may commit the same batch again, before any later
one: ``busy_retries`` times, keeping the decision order; then every caller in it gets the error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from cqx_eventstore.errors import ConcurrencyError, EventStoreBusyError
from cqx_eventstore.model import Outcome, UnitOfWork
from cqx_eventstore.planning import PreparedUnit, prepare
from cqx_eventstore.port import EventStore

_Pending = tuple[PreparedUnit, "asyncio.Future[Outcome]"]
log = logging.getLogger("cqx.eventstore.group_commit")


class GroupCommitter:
    """Batches concurrent commits to one store; start it, commit through it, stop it."""

    def __init__(self, store: EventStore, *, max_batch: int = 1000, busy_retries: int = 0) -> None:
        self._store = store
        self._max_batch = max_batch
        self._busy_retries = busy_retries
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer task."""
        self._task = asyncio.create_task(self._run(), name="group-commit")

    async def stop(self) -> None:
        """Commit what is queued, then stop the writer task."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def commit(self, unit: UnitOfWork) -> Outcome:
        """Queue a unit; return its outcome once committed (raise ConcurrencyError on conflict)."""
        return await self.submit(unit)

    def submit(self, unit: UnitOfWork) -> asyncio.Future[Outcome]:
        """Queue a unit now, in the caller's order; the future resolves after its commit."""
        if self._task is None:
            raise RuntimeError("GroupCommitter.start() was not called")
        (prepared,) = prepare([unit])
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((prepared, future))
        return future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._commit_batch(batch)
            for _ in batch:
                self._queue.task_done()

    async def _commit_batch(self, batch: list[_Pending]) -> None:
        try:
            results = await self._commit_retrying_when_busy([unit for unit, _ in batch])
        except Exception as error:  # the transaction failed: every caller in it learns why
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():  # the caller gave up (cancelled); its unit committed regardless
                continue
            if isinstance(result, ConcurrencyError):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _commit_retrying_when_busy(
        self, units: list[PreparedUnit]
    ) -> list[Outcome | ConcurrencyError]:
        for retry in range(self._busy_retries):
            try:
                return await self._store.commit_prepared(units)
            except EventStoreBusyError as error:  # nothing was written: the same batch again
                log.warning("store busy (%s); committing the batch again (%d)", error, retry + 1)
        return await self._store.commit_prepared(units)
