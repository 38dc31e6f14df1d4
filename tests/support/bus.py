"""Kafka as a component test sees it: put foreign events on a context's topic, and find what
a service published on its own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_bus.topics import ensure_topic
from cqx_service import RuntimeSettings


async def publish_to(
    settings: RuntimeSettings, context: str, envelopes: Sequence[EventEnvelope], *, times: int = 1
) -> None:
    """Put ``envelopes`` on ``context``'s topic as its relay would (each ``times`` times:
    a relay restart can repeat a message)."""
    topic = settings.topic(context)
    await ensure_topic(settings.kafka_bootstrap, topic)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for envelope in envelopes:
            for _ in range(times):
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
        settings.topic(context), bootstrap_servers=settings.kafka_bootstrap,
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
