"""The exchange application on the in-memory event store, with a clock the test moves."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta, timezone

from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from google.protobuf.message import Message

from cqx_eventstore import InMemoryEventStore
from cqx_kernel.clock import FixedClock
from cqx_matching.adapters import codec, foreign
from cqx_matching.application.exchange_app import MatchingApplication
from cqx_matching.config import MatchingSettings
from cqx_matching.domain import Command, Event
from cqx_service import Journal

SHANGHAI = timezone(timedelta(hours=8))
MONDAY = date(2025, 3, 3)
MORNING = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)
CEA = "CEA-2024"


class Ids:
    """Deterministic ids: canonical UUIDs 00000000-…-000000000001, …-000000000002, …"""

    def __init__(self) -> None:
        self._count = itertools.count(1)

    def __call__(self) -> str:
        return str(uuid.UUID(int=next(self._count)))


def names(events: Sequence[Event]) -> bytes:
    """An answer listing the events' class names."""
    return ",".join(type(e).__name__ for e in events).encode()


class Harness:
    """An application, its store and journal, and the clock."""

    def __init__(self, store: InMemoryEventStore, clock: FixedClock) -> None:
        self.store = store
        self.clock = clock
        self.journal = Journal(store)
        self.ids = Ids()
        self.app = self.new_app()
        self._requests = itertools.count(1)

    def new_app(self) -> MatchingApplication:
        """An application on this harness's journal (rebuild it from the store to use it)."""
        return MatchingApplication(
            self.journal, MatchingSettings(), codec, foreign.request_for, self.clock, self.ids
        )

    def request_id(self) -> str:
        """A fresh request id."""
        return f"r-{next(self._requests)}"

    async def foreign(self, source: str, message: Message, event_id: str = "") -> None:
        """Handle and record one foreign event, as the consumer would."""
        envelope = EventEnvelope(
            source=source, position=1, stream_id="s", stream_version=1,
            event_id=event_id or self.ids(), event_type=message.DESCRIPTOR.full_name,
            payload=message.SerializeToString(),
        )  # fmt: skip
        await self.journal.record(await self.app.on_foreign_event(envelope))

    async def trade(self, command: Command) -> bytes:
        """Run an engine command through the application (stamped with the clock's time)."""
        import dataclasses

        return await self.app.trade(
            self.request_id(), {}, lambda at: dataclasses.replace(command, at=at), names
        )

    async def open(self, instrument: str = CEA, previous_close: int = 6_000) -> bytes:
        """Open ``instrument`` for today."""
        day = self.clock.now().astimezone(SHANGHAI).date()
        return await self.app.open_day(
            self.request_id(), {}, instrument, day, previous_close, names
        )

    async def close(self, instrument: str = CEA) -> bytes:
        """Close ``instrument``'s day."""
        return await self.app.close_day(self.request_id(), {}, instrument, names)

    async def recorded(self) -> list[str]:
        """The short type names of everything recorded."""
        return [e.event_type.rsplit(".", 1)[1] async for e in self.store.read_all()]


@asynccontextmanager
async def harness(start: datetime = MORNING) -> AsyncIterator[Harness]:
    """A running harness on a fresh in-memory store."""
    h = Harness(InMemoryEventStore(), FixedClock(start))
    h.journal.start()
    try:
        yield h
    finally:
        await h.journal.stop()
