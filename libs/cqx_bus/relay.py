"""The relay: tails an event store by position and publishes every event to Kafka.

It publishes a batch, waits until the broker has acknowledged all of it (acks=all, idempotent
producer, keyed by stream id so one stream's events stay in order), and only then records the
batch's last position. After a crash it resumes from the recorded position: an event may be
published twice, never lost, and consumers deduplicate by event id.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaProducer
from cqx_eventstore.port import EventStore

from cqx_bus.bookkeeping import Bookkeeping
from cqx_bus.envelope import from_recorded, topic_for

log = logging.getLogger("cqx.bus.relay")


class Relay:
    """Publishes one store's events to ``cqx.<source>.v1.events``."""

    def __init__(
        self,
        store: EventStore,
        bookkeeping: Bookkeeping,
        *,
        source: str,
        bootstrap: str,
        topic: str | None = None,
        batch_size: int = 5000,
    ) -> None:
        self._store = store
        self._bookkeeping = bookkeeping
        self._source = source
        self._bootstrap = bootstrap
        self.topic = topic or topic_for(source)
        self._batch_size = batch_size
        self.published = 0

    async def run(self) -> None:
        """Publish forever (until cancelled), from the last recorded position."""
        producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            max_batch_size=1 << 20,
            max_request_size=8 << 20,
        )
        await producer.start()
        try:
            self.published = await self._bookkeeping.published_position(self.topic)
            log.info("relay %s resumes after position %d", self.topic, self.published)
            async for batch in self._store.subscribe_batches(
                self.published, batch_size=self._batch_size
            ):
                await self._publish(producer, batch)
        finally:
            await producer.stop()

    async def _publish(self, producer: AIOKafkaProducer, batch: list) -> None:  # type: ignore[type-arg]
        sends = [
            await producer.send(
                self.topic,
                value=from_recorded(self._source, event).SerializeToString(),
                key=event.stream_id.encode(),
            )
            for event in batch
        ]
        await asyncio.gather(*sends)
        self.published = batch[-1].position
        await self._bookkeeping.save_published_position(self.topic, self.published)
