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
from cqx_matching.application.app import MatchingApplication
from cqx_matching.bootstrap import assemble
from cqx_matching.domain import Command, Event
from cqx_service import CallIds, ServiceContext

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
    """An application built by the composition root over an in-memory store, and the clock."""

    def __init__(self, context: ServiceContext, clock: FixedClock, ids: Ids) -> None:
        self.context = context
        self.store = context.store
        self.journal = context.journal
        self.clock = clock
        self.ids = ids
        self.app: MatchingApplication
        self._requests = itertools.count(1)

    async def new_app(self) -> MatchingApplication:
        """An application built over this harness's store and journal, rebuilt from the log."""
        return (await assemble(self.context, clock=self.clock, new_id=self.ids)).app

    def request_id(self) -> str:
        """A fresh request id."""
        return f"r-{next(self._requests)}"

    def call(self) -> CallIds:
        """The ids of a fresh call."""
        return CallIds(self.request_id(), {})

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
            self.call(), lambda at: dataclasses.replace(command, at=at), names
        )

    async def open(self, instrument: str = CEA, previous_close: int = 6_000) -> bytes:
        """Open ``instrument`` for today."""
        day = self.clock.now().astimezone(SHANGHAI).date()
        return await self.app.open_day(self.call(), instrument, day, previous_close, names)

    async def close(self, instrument: str = CEA) -> bytes:
        """Close ``instrument``'s day."""
        return await self.app.close_day(self.call(), instrument, names)

    async def recorded(self) -> list[str]:
        """The short type names of everything recorded."""
        return [e.event_type.rsplit(".", 1)[1] async for e in self.store.read_all()]


@asynccontextmanager
async def harness(start: datetime = MORNING) -> AsyncIterator[Harness]:
    """A running harness on a fresh in-memory store."""
    h = Harness(ServiceContext.over(InMemoryEventStore(), "matching"), FixedClock(start), Ids())
    h.journal.start()
    try:
        h.app = await h.new_app()
        yield h
    finally:
        await h.journal.stop()
