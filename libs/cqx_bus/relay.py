"""The relay: tails an event store by position and publishes every event to Kafka.

It publishes a batch, waits until the broker has acknowledged all of it (acks=all, idempotent
producer, keyed by stream id so one stream's events stay in order), and only then records the
batch's last position, in the background, while the next batch goes out (a
:class:`LatestValueWriter`: one write at a time, the newest position wins; a failed write fails
the relay). After a crash it resumes from the recorded position: an event may be published
twice, never lost, and consumers deduplicate by event id.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from cqx_bus.access import KafkaAccess
from cqx_bus.bookkeeping import Bookkeeping
from cqx_bus.envelope import from_recorded, topic_for
from cqx_bus.latest import LatestValueWriter, OnWriteFailure
from cqx_eventstore.model import RecordedEvent
from cqx_eventstore.port import EventStore

log = logging.getLogger("cqx.bus.relay")
FINAL_CHECKPOINT_SECONDS = 5.0


class Relay:
    """Publishes one store's events to ``cqx.<source>.v1.events``, as ``access``'s principal
    (which must be allowed to write that topic)."""

    def __init__(
        self,
        store: EventStore,
        bookkeeping: Bookkeeping,
        *,
        source: str,
        access: KafkaAccess,
        topic: str | None = None,
        batch_size: int = 5000,
    ) -> None:
        self._store = store
        self._bookkeeping = bookkeeping
        self._source = source
        self._access = access
        self.topic = topic or topic_for(source)
        self._batch_size = batch_size
        self.published = 0
        self._partitioner = DefaultPartitioner()
        self._partitions: dict[bytes, int] = {}

    async def run(self) -> None:
        """Publish forever (until cancelled), from the last recorded position."""
        producer = AIOKafkaProducer(
            **self._access.client_options(),
            enable_idempotence=True,
            acks="all",
            linger_ms=0,
            max_batch_size=1 << 20,
            max_request_size=8 << 20,
        )
        await producer.start()
        try:
            self.published = await self._bookkeeping.published_position(self.topic)
            log.info("relay %s resumes after position %d", self.topic, self.published)
            # On stop, the last position is recorded if it can be within the bound: what is
            # not recorded is published again.
            async with self._checkpoints() as checkpoints:
                async for batch in self._store.subscribe_batches(
                    self.published, batch_size=self._batch_size
                ):
                    await self._publish(producer, batch)
                    checkpoints.offer(self.published)  # raises if recording failed
        finally:
            await producer.stop()

    def _checkpoints(self) -> LatestValueWriter[int]:
        async def record(position: int) -> None:
            await self._bookkeeping.save_published_position(self.topic, position)

        return LatestValueWriter(
            record, name=f"relay {self.topic} checkpoint", on_failure=OnWriteFailure.FAIL,
            stop_timeout=FINAL_CHECKPOINT_SECONDS,
        )  # fmt: skip

    async def _publish(self, producer: AIOKafkaProducer, batch: list[RecordedEvent]) -> None:
        """Send a batch as per-partition record batches; return when the broker has all of it."""
        partitions = sorted(await producer.partitions_for(self.topic))
        builders: dict[int, Any] = {}
        sent: list[asyncio.Future[Any]] = []
        metadata: dict[bytes, dict[str, str]] = {}
        for event in batch:
            key = event.stream_id.encode()
            partition = self._partition_of(key, partitions)
            meta = metadata.get(event.metadata_json)
            if meta is None:
                meta = metadata[event.metadata_json] = event.metadata
            value = from_recorded(self._source, event, meta).SerializeToString()
            builder = builders.get(partition)
            if builder is None or builder.append(key=key, value=value, timestamp=None) is None:
                if builder is not None:  # full: send it and start the next one
                    sent.append(await producer.send_batch(builder, self.topic, partition=partition))
                builder = builders[partition] = producer.create_batch()
                builder.append(key=key, value=value, timestamp=None)
        for partition, builder in builders.items():
            sent.append(await producer.send_batch(builder, self.topic, partition=partition))
        await asyncio.gather(*sent)
        self.published = batch[-1].position

    def _partition_of(self, key: bytes, partitions: list[int]) -> int:
        """Kafka's default partitioner (murmur2 of the key), remembered per stream."""
        if len(partitions) == 1:
            return partitions[0]
        cached = self._partitions.get(key)
        if cached is None or len(self._partitions) > 100_000:
            if len(self._partitions) > 100_000:
                self._partitions.clear()
            cached = self._partitions[key] = self._partitioner(key, partitions, partitions)
        return cached
