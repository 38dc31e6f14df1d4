"""The event store port: what every implementation (PostgreSQL, in-memory) offers.

Both implementations pass one contract suite (tests/contract/eventstore_contract.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager

from cqx_eventstore.errors import ConcurrencyError
from cqx_eventstore.hashing import verify_chain_async
from cqx_eventstore.model import (
    AppendRequest,
    Committed,
    EventRow,
    Metadata,
    NewEvent,
    Outcome,
    RecordedEvent,
    UnitOfWork,
)
from cqx_eventstore.planning import PreparedUnit, prepare, validate


class EventStore(ABC):
    """An append-only, hash-chained log of events, with a gap-free global position."""

    async def commit_many(self, units: Sequence[UnitOfWork]) -> list[Outcome | ConcurrencyError]:
        """Decide the units in order and commit the ones that pass, in one transaction.

        One outcome (or the ConcurrencyError) per unit; a unit that fails writes nothing and
        does not stop the others. This is the group-commit primitive.
        """
        return await self.commit_prepared(prepare(units))

    @abstractmethod
    async def commit_prepared(
        self, units: Sequence[PreparedUnit]
    ) -> list[Outcome | ConcurrencyError]:
        """As :meth:`commit_many`, for units already validated and hashed by ``prepare``.

        Preparing is CPU work that needs no lock; a caller that prepares the next batch while
        this one commits keeps the database busy and the lock short.
        """

    @abstractmethod
    async def read_stream(
        self, stream_id: str, *, up_to_version: int | None = None
    ) -> list[RecordedEvent]:
        """The events of one stream in version order, optionally up to a version."""

    @abstractmethod
    def read_all(
        self, from_position: int = 0, *, to_position: int | None = None, batch_size: int = 5000
    ) -> AsyncIterator[RecordedEvent]:
        """Every event after ``from_position`` (exclusive), in position order, page by page."""

    @abstractmethod
    def read_rows(
        self, from_position: int = 0, *, to_position: int | None = None, batch_size: int = 20_000
    ) -> AsyncIterator[Sequence[EventRow]]:
        """What a projection needs of each event after ``from_position``, a page at a time.

        Each row is ``(position, stream_id, stream_version, event_type, payload)``: no hashes,
        no metadata, no object per event, so a rebuild runs at the speed of the fold.
        """

    @abstractmethod
    def appends(self) -> AbstractAsyncContextManager[asyncio.Event]:
        """An event that is set whenever an append commits, for as long as the context lasts."""

    async def subscribe_batches(
        self, from_position: int = 0, *, batch_size: int = 5000, idle_recheck: float = 5.0
    ) -> AsyncIterator[list[RecordedEvent]]:
        """Catch up from ``from_position`` (exclusive), then follow new commits, in batches.

        Waits on :meth:`appends` between batches, never polls; ``idle_recheck`` is only a
        safety net for a lost notification.
        """
        position = from_position
        async with self.appends() as appended:
            while True:
                appended.clear()
                end = position + batch_size
                batch = [e async for e in self.read_all(position, to_position=end)]
                if batch:
                    position = batch[-1].position
                    yield batch
                    continue
                with contextlib.suppress(TimeoutError):
                    # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
                    # cancellation that arrives with a notification, and shutdown never ends.
                    async with asyncio.timeout(idle_recheck):
                        await appended.wait()

    async def subscribe(self, from_position: int = 0) -> AsyncIterator[RecordedEvent]:
        """Catch up from ``from_position`` (exclusive), then follow new events as they commit."""
        async for batch in self.subscribe_batches(from_position):
            for event in batch:
                yield event

    @abstractmethod
    async def head(self) -> tuple[int, bytes]:
        """The last committed position and its hash ((0, 32 zero bytes) when empty)."""

    @abstractmethod
    async def stream_version(self, stream_id: str) -> int:
        """The stream's current version (0 when it has no events)."""

    @abstractmethod
    async def recorded_outcomes(self, request_ids: Sequence[str]) -> dict[str, bytes]:
        """The outcomes recorded for those of ``request_ids`` that were executed."""

    async def recorded_outcome(self, request_id: str) -> bytes | None:
        """The outcome recorded for a client request id, if that request was executed."""
        return (await self.recorded_outcomes([request_id])).get(request_id)

    @abstractmethod
    async def handled(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        """Those of ``event_ids`` (foreign events) that ``consumer`` has handled."""

    async def is_handled(self, consumer: str, event_id: str) -> bool:
        """Whether ``consumer`` has handled the foreign event ``event_id``."""
        return event_id in await self.handled(consumer, [event_id])

    async def commit(self, unit: UnitOfWork) -> Outcome:
        """Commit one unit of work atomically; raise ConcurrencyError on a version conflict."""
        validate(unit)
        (result,) = await self.commit_many([unit])
        if isinstance(result, ConcurrencyError):
            raise result
        return result

    async def append(
        self,
        stream_id: str,
        expected_version: int | None,
        events: Sequence[NewEvent],
        metadata: Metadata | None = None,
    ) -> tuple[int, ...]:
        """Append events to one stream; return their global positions."""
        outcome = await self.commit(
            UnitOfWork(
                requests=[AppendRequest(stream_id, expected_version, events, metadata or {})]
            )
        )
        assert isinstance(outcome, Committed)  # no idempotency or tracking record was given
        return outcome.positions

    async def verify(self) -> int | None:
        """Recompute the hash chain; the first broken position, or None if the log is intact."""
        return await verify_chain_async(self.read_all())
