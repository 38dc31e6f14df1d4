"""An in-memory event store for unit tests; it passes the same contract suite as PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

from cqx_eventstore.errors import ConcurrencyError, DuplicateEventIdError
from cqx_eventstore.hashing import GENESIS_HASH
from cqx_eventstore.model import EventRow, Outcome, RecordedEvent
from cqx_eventstore.planning import PreparedUnit, plan_commit, streams_of
from cqx_eventstore.port import EventStore
from cqx_kernel.clock import Clock, SystemClock


class InMemoryEventStore(EventStore):
    """Holds the log in a list; one asyncio lock plays the part of the table lock."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._events: list[RecordedEvent] = []
        self._streams: dict[str, list[RecordedEvent]] = {}
        self._outcomes: dict[str, bytes] = {}
        self._handled: set[tuple[str, str]] = set()
        self._event_ids: set[str] = set()
        self._lock = asyncio.Lock()
        self._listeners: set[asyncio.Event] = set()

    async def commit_prepared(
        self, prepared: Sequence[PreparedUnit]
    ) -> list[Outcome | ConcurrencyError]:
        async with self._lock:
            position, last_hash = self._head()
            plan = plan_commit(
                prepared,
                head_position=position,
                head_hash=last_hash,
                versions={s: len(self._streams.get(s, ())) for s in streams_of(prepared)},
                outcomes=self._outcomes,
                handled=self._handled,
                recorded_at=self._clock.now(),
            )
            recorded = plan.recorded()
            self._refuse_recorded_event_ids(recorded)
            for event in recorded:
                self._event_ids.add(event.event_id)
                self._events.append(event)
                self._streams.setdefault(event.stream_id, []).append(event)
            self._outcomes.update((r.request_id, r.outcome) for r, _ in plan.idempotency)
            self._handled.update((t.consumer, t.event_id) for t, _ in plan.tracking)
        if plan.events:
            for listener in self._listeners:
                listener.set()
        return plan.results

    async def read_stream(
        self, stream_id: str, *, up_to_version: int | None = None
    ) -> list[RecordedEvent]:
        events = self._streams.get(stream_id, [])
        if up_to_version is None:
            return list(events)
        return [e for e in events if e.stream_version <= up_to_version]

    async def read_all(
        self, from_position: int = 0, *, to_position: int | None = None, batch_size: int = 5000
    ) -> AsyncIterator[RecordedEvent]:
        end = len(self._events) if to_position is None else min(to_position, len(self._events))
        for index in range(max(from_position, 0), end):
            yield self._events[index]

    async def read_rows(
        self, from_position: int = 0, *, to_position: int | None = None, batch_size: int = 20_000
    ) -> AsyncIterator[Sequence[EventRow]]:
        page: list[EventRow] = []
        async for e in self.read_all(from_position, to_position=to_position):
            page.append((e.position, e.stream_id, e.stream_version, e.event_type, e.payload))
            if len(page) == batch_size:
                yield page
                page = []
        if page:
            yield page

    @contextlib.asynccontextmanager
    async def appends(self) -> AsyncIterator[asyncio.Event]:
        appended = asyncio.Event()
        self._listeners.add(appended)
        try:
            yield appended
        finally:
            self._listeners.discard(appended)

    async def head(self) -> tuple[int, bytes]:
        return self._head()

    async def stream_version(self, stream_id: str) -> int:
        return len(self._streams.get(stream_id, ()))

    async def recorded_outcomes(self, request_ids: Sequence[str]) -> dict[str, bytes]:
        return {r: self._outcomes[r] for r in request_ids if r in self._outcomes}

    async def handled(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        return {e for e in event_ids if (consumer, e) in self._handled}

    def tamper(self, position: int, payload: bytes) -> None:
        """Change a stored event's payload behind the chain's back (for tests of verify)."""
        event = self._events[position - 1]
        self._events[position - 1] = event._replace(payload=payload)

    def _refuse_recorded_event_ids(self, recorded: Sequence[RecordedEvent]) -> None:
        """As PostgreSQL's unique event id: a batch that would record an id twice writes
        nothing."""
        ids = [e.event_id for e in recorded]
        repeated = self._event_ids.intersection(ids) or len(set(ids)) < len(ids)
        if repeated:
            raise DuplicateEventIdError("an event id is recorded already")

    def _head(self) -> tuple[int, bytes]:
        if not self._events:
            return 0, GENESIS_HASH
        last = self._events[-1]
        return last.position, last.hash
