"""A consumer applies an envelope only if it is what the topic's owner recorded: its source,
its hash, its link to the last one it accepted. Whatever fails is dead-lettered with the
reason, counted, and never reaches the handler (the store stays as it was)."""

from __future__ import annotations

import logging

import pytest
from aiokafka import ConsumerRecord
from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_bus import KafkaAccess, KafkaCredentials
from cqx_bus.bookkeeping import ChainTip, InMemoryBookkeeping
from cqx_bus.consumer import Consumer
from cqx_bus.envelope import hash_holds
from cqx_eventstore import AppendRequest, NewEvent, UnitOfWork
from cqx_eventstore.memory import InMemoryEventStore
from tests.unit.bus.chain import SourceLog

DEPOSITED = "cqx.settlement.v1.FundsDeposited"
NOWHERE = KafkaAccess("unused:9092", KafkaCredentials("matching", "unused"))


class Harness:
    """A consumer of the settlement topic over the in-memory store, remembering refusals."""

    def __init__(self, books: InMemoryBookkeeping | None = None) -> None:
        self.store = InMemoryEventStore()
        self.books = books or InMemoryBookkeeping()
        self.applied: list[str] = []
        self.refusals: list[tuple[str, str]] = []
        self.offset = 0
        self.consumer = Consumer(
            "matching<-settlement", {"settlement-topic": "settlement"}, access=NOWHERE,
            store=self.store, bookkeeping=self.books, handler=self.handler,
            on_refused=lambda source, reason: self.refusals.append((source, reason)),
        )  # fmt: skip

    async def handler(self, envelope: EventEnvelope) -> UnitOfWork:
        self.applied.append(envelope.event_id)
        event = NewEvent(envelope.event_id, "cqx.test.v1.CashRaised", b"")
        return UnitOfWork(requests=[AppendRequest(f"cash-{envelope.event_id}", None, [event])])

    async def deliver(self, *envelopes: EventEnvelope) -> None:
        records = []
        for envelope in envelopes:
            value = envelope.SerializeToString()
            records.append(
                ConsumerRecord(
                    "settlement-topic", 0, self.offset, 0, 0, None, value, None, 0, 0, []
                )
            )
            self.offset += 1
        await self.consumer.handle(records)

    def reasons(self) -> list[str]:
        return [letter.reason.split(":")[0] for letter in self.books.letters]


def forged(envelope: EventEnvelope, **changes: object) -> EventEnvelope:
    copy = EventEnvelope()
    copy.CopyFrom(envelope)
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


async def test_a_faithful_log_is_applied_in_order_and_its_tip_recorded() -> None:
    log, harness = SourceLog("settlement"), Harness()
    first, second = log.append(DEPOSITED), log.append(DEPOSITED)
    assert hash_holds(first)
    assert hash_holds(second)
    await harness.deliver(first, second)
    assert harness.applied == [first.event_id, second.event_id]
    assert harness.books.tips == {
        ("matching<-settlement", "settlement-topic"): ChainTip(2, second.hash)
    }
    assert harness.books.letters == []
    assert harness.consumer.refused == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"source": "matching"}, "SOURCE_NOT_TOPIC_OWNER"),
        ({"payload": b"\x08\x80\x94\xeb\xdc\x03"}, "HASH_MISMATCH"),
        ({"stream_id": "cash-victim"}, "HASH_MISMATCH"),
    ],
)
async def test_an_altered_envelope_is_dead_lettered_and_not_applied(
    change: dict[str, object], reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    log, harness = SourceLog("settlement"), Harness()
    genuine = log.append(DEPOSITED)
    with caplog.at_level(logging.ERROR, logger="cqx.bus.consumer"):
        await harness.deliver(forged(genuine, **change))
    assert harness.applied == []
    assert (await harness.store.head())[0] == 0  # nothing recorded
    assert harness.reasons() == [reason]
    assert harness.refusals == [("settlement", reason)]
    assert harness.consumer.refused == 1
    assert any(reason in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


async def test_an_envelope_that_does_not_link_to_the_last_one_is_refused_and_the_log_goes_on() -> (
    None
):
    log, harness = SourceLog("settlement"), Harness()
    first = log.append(DEPOSITED)
    await harness.deliver(first)
    # A forger who can write the topic but has not seen it: a well-hashed envelope at the next
    # position, chained to a hash of its own choosing.
    rogue = SourceLog("settlement")
    rogue.position, rogue.hash = 1, b"\x01" * 32
    await harness.deliver(rogue.append(DEPOSITED, stream_id="cash-attacker"))
    second = log.append(DEPOSITED)
    await harness.deliver(second)
    assert harness.applied == [first.event_id, second.event_id]
    assert harness.reasons() == ["CHAIN_BROKEN"]


async def test_a_gap_is_refused() -> None:
    log, harness = SourceLog("settlement"), Harness()
    await harness.deliver(log.append(DEPOSITED))
    log.append(DEPOSITED)  # never delivered
    await harness.deliver(log.append(DEPOSITED))
    assert len(harness.applied) == 1
    assert harness.reasons() == ["CHAIN_BROKEN"]


async def test_position_one_must_start_from_the_genesis_hash() -> None:
    rogue, harness = SourceLog("settlement"), Harness()
    rogue.hash = b"\x02" * 32
    await harness.deliver(rogue.append(DEPOSITED))
    assert harness.applied == []
    assert harness.reasons() == ["CHAIN_BROKEN"]


async def test_a_repeat_is_skipped_and_a_forgery_at_an_old_position_is_never_applied() -> None:
    log, harness = SourceLog("settlement"), Harness()
    first, second = log.append(DEPOSITED), log.append(DEPOSITED)
    await harness.deliver(first, second, first, second)  # a relay restart publishes again
    rogue = SourceLog("settlement")
    rogue.position, rogue.hash = first.position, first.hash  # a well-formed replacement of 2
    await harness.deliver(rogue.append(DEPOSITED, stream_id="cash-attacker"))
    assert harness.applied == [first.event_id, second.event_id]
    assert harness.books.letters == []


async def test_after_a_restart_the_chain_is_checked_from_the_recorded_tip() -> None:
    log, books = SourceLog("settlement"), InMemoryBookkeeping()
    await Harness(books).deliver(log.append(DEPOSITED))
    restarted = Harness(books)
    rogue = SourceLog("settlement")
    rogue.position = 1
    await restarted.deliver(rogue.append(DEPOSITED))  # links to genesis, not to position 1
    genuine = log.append(DEPOSITED)
    await restarted.deliver(genuine)
    assert restarted.applied == [genuine.event_id]
    assert [letter.reason.split(":")[0] for letter in books.letters] == ["CHAIN_BROKEN"]


async def test_with_nothing_recorded_a_later_position_anchors_the_chain() -> None:
    log, harness = SourceLog("settlement"), Harness()
    log.append(DEPOSITED), log.append(DEPOSITED)  # dropped by the topic's retention
    third, fourth = log.append(DEPOSITED), log.append(DEPOSITED)
    await harness.deliver(third, fourth)
    assert harness.applied == [third.event_id, fourth.event_id]
