"""Kafka as a component test sees it: put foreign events on a context's topic, and find what
a service published on its own.

The test writes and reads as the broker's administrator (the services' own principals may
write only their own topics). :func:`publish_to` puts envelopes on a topic as the source's
store and relay would: each at the next position of that topic's log, chained to the one
before by the event store's hash (the consumers check both); :func:`publish_raw` puts them as
they are (a forger's envelopes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_bus import KafkaAccess
from cqx_bus.envelope import from_recorded, to_recorded
from cqx_bus.topics import ensure_topic
from cqx_eventstore.hashing import GENESIS_HASH, event_hash
from cqx_service import RuntimeSettings

# Each topic's log as the tests have written it so far: (last position, last hash). Topics are
# namespaced per test, so no two tests share an entry.
_TIPS: dict[str, tuple[int, bytes]] = {}


def admin_of(settings: RuntimeSettings) -> KafkaAccess:
    """The broker's administrator the settings name (a test's settings always do)."""
    admin = settings.kafka_admin
    assert admin is not None, "the test's settings name no Kafka administrator"
    return admin


def sealed(
    topic: str, envelope: EventEnvelope, *, prev_hash: bytes | None = None, keep: bool = True
) -> EventEnvelope:
    """``envelope`` at the next position of ``topic``'s log, chained and hashed; a forger's
    passes another ``prev_hash``, and does not ``keep`` it as the log's next entry."""
    position, tip_hash = _TIPS.get(topic, (0, GENESIS_HASH))
    link = tip_hash if prev_hash is None else prev_hash
    placed = to_recorded(envelope)._replace(position=position + 1, prev_hash=link)
    recorded = placed._replace(hash=event_hash(link, placed))
    if keep:
        _TIPS[topic] = (recorded.position, recorded.hash)
    return from_recorded(envelope.source, recorded, dict(envelope.metadata))


async def publish_to(
    settings: RuntimeSettings, context: str, envelopes: Sequence[EventEnvelope], *, times: int = 1
) -> list[EventEnvelope]:
    """Put ``envelopes`` on ``context``'s topic as its relay would (each ``times`` times:
    a relay restart can repeat a message); the envelopes as sealed."""
    topic = settings.topic(context)
    placed = [sealed(topic, envelope) for envelope in envelopes]
    await publish_raw(admin_of(settings), topic, [e for e in placed for _ in range(times)])
    return placed


async def publish_raw(access: KafkaAccess, topic: str, envelopes: Sequence[EventEnvelope]) -> None:
    """Put ``envelopes`` on ``topic`` exactly as they are, as ``access``'s principal."""
    await ensure_topic(access, topic)
    producer = AIOKafkaProducer(**access.client_options())
    await producer.start()
    try:
        for envelope in envelopes:
            await producer.send_and_wait(
                topic, envelope.SerializeToString(), key=envelope.stream_id.encode()
            )
    finally:
        await producer.stop()


async def first_published(
    settings: RuntimeSettings,
    context: str,
    wanted: Callable[[EventEnvelope], bool],
    within: float = 20.0,
) -> EventEnvelope:
    """The first envelope on ``context``'s topic that is ``wanted`` (waits up to ``within`` s)."""
    consumer = AIOKafkaConsumer(
        settings.topic(context), **admin_of(settings).client_options(),
        auto_offset_reset="earliest", enable_auto_commit=False, group_id=None,
    )  # fmt: skip
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + within
        while True:
            assert asyncio.get_running_loop().time() < deadline, "the event was not published"
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    envelope = EventEnvelope.FromString(record.value)
                    if wanted(envelope):
                        return envelope
    finally:
        await consumer.stop()
