"""The consumer's batch handling on the in-memory store (the same contract as PostgreSQL's):
only the event types a service acts on reach its handler, and a message that causes nothing
leaves no tracking record, while one that causes something is tracked with its effect."""
# The envelopes are a real source log's (tests.unit.bus.chain): the consumer checks them.

from __future__ import annotations

import uuid

from aiokafka import ConsumerRecord
from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_bus import KafkaAccess, KafkaCredentials
from cqx_bus.bookkeeping import ChainTip, DeadLetter
from cqx_bus.consumer import Consumer
from cqx_eventstore import AppendRequest, NewEvent, UnitOfWork
from cqx_eventstore.memory import InMemoryEventStore
from tests.unit.bus.chain import SourceLog

NOWHERE = KafkaAccess("unused:9092", KafkaCredentials("me", "unused"))

WANTED = "cqx.test.v1.Wanted"
OTHER = "cqx.test.v1.Other"


class NoBooks:
    """Bookkeeping that keeps dead letters in a list."""

    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []
        self.tips: dict[tuple[str, str], ChainTip] = {}

    async def published_position(self, topic: str) -> int:
        return 0

    async def save_published_position(self, topic: str, position: int) -> None:
        return None

    async def put_dead_letter(self, letter: DeadLetter) -> None:
        self.letters.append(letter)

    async def dead_letters(self, consumer: str) -> list[DeadLetter]:
        return list(self.letters)

    async def chain_tip(self, consumer: str, topic: str) -> ChainTip | None:
        return self.tips.get((consumer, topic))

    async def save_chain_tip(self, consumer: str, topic: str, tip: ChainTip) -> None:
        self.tips[(consumer, topic)] = tip


SOURCE = SourceLog("other")


def record(event_type: str, offset: int, payload: bytes = b"") -> ConsumerRecord[bytes, bytes]:
    envelope = SOURCE.append(event_type, payload)
    return ConsumerRecord("t", 0, offset, 0, 0, None, envelope.SerializeToString(), None, 0, 0, [])


async def test_only_wanted_event_types_reach_the_handler_and_only_effects_are_tracked() -> None:
    store = InMemoryEventStore()
    seen: list[str] = []

    async def handler(envelope: EventEnvelope) -> UnitOfWork:
        seen.append(envelope.event_id)
        if envelope.payload == b"act":
            event = NewEvent(str(uuid.uuid4()), "cqx.test.v1.Done", b"")
            return UnitOfWork(requests=[AppendRequest("s-1", None, [event])])
        return UnitOfWork()  # nothing to do

    books = NoBooks()
    consumer = Consumer(
        "me<-other", {"t": "other"}, access=NOWHERE, store=store, bookkeeping=books,
        handler=handler, event_types=[WANTED],
    )  # fmt: skip
    acting, idle, other = record(WANTED, 0, b"act"), record(WANTED, 1), record(OTHER, 2, b"act")
    batch = [acting, idle, other]
    await consumer.handle(batch)
    ids = [EventEnvelope.FromString(r.value).event_id for r in batch]
    assert seen == ids[:2]  # the other type was never handed over
    assert await store.handled("me<-other", ids) == {ids[0]}  # only the one with an effect
    assert [e.event_type for e in await store.read_stream("s-1")] == ["cqx.test.v1.Done"]
    await consumer.handle(batch)  # redelivered: the effect is not repeated
    assert len(await store.read_stream("s-1")) == 1
    assert seen == ids[:2]  # repeats of a one-partition topic's log never reach the handler
    assert books.letters == []
