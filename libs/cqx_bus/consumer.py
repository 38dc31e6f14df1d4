"""A consumer of another context's events, with exactly-once effect.

For each batch of messages: decode each envelope (an undecodable one goes to the dead-letter
table with the reason, and the consumer goes on, as does a message the handler finds unusable:
:class:`~cqx_bus.errors.UnusableMessageError`), keep those of the event types the service
acts on, skip the ones already handled, ask the handler what each one causes, and commit all
of it together with one tracking record per message in the service's event store (a message
that causes nothing records nothing: redelivered, it again causes nothing). Only after that
transaction does it commit the Kafka offsets. A redelivered message finds its tracking record
and changes nothing. A service that keeps its state in memory passes ``submit`` (its
journal's), so that consumed events and commands are recorded in the one order they were
decided in.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_bus.bookkeeping import Bookkeeping, DeadLetter
from cqx_bus.envelope import decode
from cqx_bus.errors import UndecodableMessageError, UnusableMessageError
from cqx_eventstore.errors import ConcurrencyError
from cqx_eventstore.model import Outcome, TrackingRecord, UnitOfWork
from cqx_eventstore.port import EventStore

log = logging.getLogger("cqx.bus.consumer")

Handler = Callable[[EventEnvelope], Awaitable[UnitOfWork]]
Submit = Callable[[UnitOfWork], "asyncio.Future[Outcome]"]
# A handler whose decision raced another writer is asked again, this many times at most.
_RETRIES = 20
FINAL_COMMIT_SECONDS = 5.0


class Consumer:
    """Consumes ``topics`` as group ``name`` and applies ``handler`` to each new event."""

    def __init__(
        self,
        name: str,
        topics: Sequence[str],
        *,
        bootstrap: str,
        store: EventStore,
        bookkeeping: Bookkeeping,
        handler: Handler,
        max_records: int = 1000,
        group_id: str | None = None,
        submit: Submit | None = None,
        event_types: Collection[str] | None = None,
    ) -> None:
        self.name = name
        self._group_id = group_id or name
        self._consumer: AIOKafkaConsumer | None = None
        self._topics = list(topics)
        self._bootstrap = bootstrap
        self._store = store
        self._bookkeeping = bookkeeping
        self._handler = handler
        self._max_records = max_records
        self._submit = submit
        self._wanted = frozenset(event_types) if event_types is not None else None

    async def run(self) -> None:
        """Consume until cancelled."""
        consumer = AIOKafkaConsumer(
            *self._topics,
            bootstrap_servers=self._bootstrap,
            group_id=self._group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            metadata_max_age_ms=5000,
        )
        await consumer.start()
        self._consumer = consumer
        offsets = _Offsets(consumer, self.name)
        committer = asyncio.create_task(offsets.keep_committing(), name=f"commit {self.name}")
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=self._max_records)
                if not batches:
                    continue
                records = [r for partition in batches.values() for r in partition]
                await self.handle(records)
                offsets.handled({tp: rs[-1].offset + 1 for tp, rs in batches.items() if rs})
        finally:
            self._consumer = None
            committer.cancel()
            await asyncio.gather(committer, return_exceptions=True)
            # Best effort and bounded: aiokafka retries a commit for as long as the broker is
            # away, and a lost commit only means messages delivered again.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(FINAL_COMMIT_SECONDS):
                    await offsets.commit_now()
            await consumer.stop()

    async def lag(self) -> int | None:
        """Messages on the assigned partitions not yet handled and committed (None: not running)."""
        consumer = self._consumer
        if consumer is None or not consumer.assignment():
            return None
        partitions = list(consumer.assignment())
        ends = await consumer.end_offsets(partitions)
        committed = [await consumer.committed(tp) or 0 for tp in partitions]
        return int(sum(ends[tp] - done for tp, done in zip(partitions, committed, strict=True)))

    async def handle(self, records: Sequence[ConsumerRecord]) -> None:
        """Handle a batch of messages; returns once their effects are committed."""
        envelopes: list[EventEnvelope] = []
        records_of: dict[str, ConsumerRecord] = {}
        for record in records:
            try:
                envelope = decode(record.value)
            except UndecodableMessageError as error:
                await self._dead_letter(record, error.message)
                continue
            if self._wanted is None or envelope.event_type in self._wanted:
                envelopes.append(envelope)
                records_of.setdefault(envelope.event_id, record)
        if not envelopes:
            return
        seen = await self._store.handled(self.name, [e.event_id for e in envelopes])
        pending: dict[str, EventEnvelope] = {}  # a relay restart can repeat a message
        for envelope in envelopes:
            if envelope.event_id not in pending and envelope.event_id not in seen:
                pending[envelope.event_id] = envelope
        handled: list[EventEnvelope] = []
        results: list[Outcome | BaseException]
        if self._submit is not None:  # queue each unit the moment it is decided
            futures = []
            for envelope in pending.values():
                unit = await self._usable(envelope, records_of[envelope.event_id])
                if not _causes_nothing(unit):
                    handled.append(envelope)
                    futures.append(self._submit(self._tracked(unit, envelope)))
            results = list(await asyncio.gather(*futures, return_exceptions=True))
        else:
            units = []
            for envelope in pending.values():
                unit = await self._usable(envelope, records_of[envelope.event_id])
                if not _causes_nothing(unit):
                    handled.append(envelope)
                    units.append(self._tracked(unit, envelope))
            results = list(await self._store.commit_many(units)) if units else []
        for envelope, result in zip(handled, results, strict=True):
            if isinstance(result, ConcurrencyError):
                await self._handle_one(envelope)
            elif isinstance(result, BaseException):
                raise result

    async def _usable(self, envelope: EventEnvelope, record: ConsumerRecord) -> UnitOfWork:
        """What the handler makes of ``envelope``; a message it cannot use is dead-lettered
        with the reason and causes nothing (the consumer goes on)."""
        try:
            return await self._handler(envelope)
        except UnusableMessageError as error:
            await self._dead_letter(record, f"{error.reason}: {error.message}")
            return UnitOfWork()

    def _tracked(self, unit: UnitOfWork, envelope: EventEnvelope) -> UnitOfWork:
        tracking = (*unit.tracking, TrackingRecord(self.name, envelope.event_id))
        return dataclasses.replace(unit, tracking=tracking)

    async def _unit(self, envelope: EventEnvelope) -> UnitOfWork:
        return self._tracked(await self._handler(envelope), envelope)

    async def _handle_one(self, envelope: EventEnvelope) -> None:
        for _ in range(_RETRIES):
            try:
                await self._store.commit(await self._unit(envelope))
                return
            except ConcurrencyError:
                continue
        raise ConcurrencyError(envelope.stream_id, -1, -1)

    async def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        log.warning(
            "dead letter %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason
        )
        await self._bookkeeping.put_dead_letter(
            DeadLetter(
                self.name, record.topic, record.partition, record.offset,
                record.key, record.value, reason,
            )
        )  # fmt: skip


__all__ = ["Consumer", "Handler", "TopicPartition"]


def _causes_nothing(unit: UnitOfWork) -> bool:
    return not unit.requests and unit.idempotency is None and not unit.tracking


class _Offsets:
    """Kafka offsets of handled messages, committed in the background: the next batch is
    fetched while the last one's offsets travel. An offset committed late (or lost with a
    crash) only means messages delivered again, which their tracking records skip."""

    def __init__(self, consumer: AIOKafkaConsumer, name: str) -> None:
        self._consumer = consumer
        self._name = name
        self._latest: dict[TopicPartition, int] = {}
        self._wanted = asyncio.Event()

    def handled(self, offsets: dict[TopicPartition, int]) -> None:
        """The next offsets to commit (the newest per partition wins)."""
        self._latest.update(offsets)
        self._wanted.set()

    async def keep_committing(self) -> None:
        """Commit whatever was handled since the last commit, until cancelled."""
        while True:
            await self._wanted.wait()
            await self.commit_now()

    async def commit_now(self) -> None:
        """Commit what is pending now (a failure is logged: the next commit covers it)."""
        self._wanted.clear()
        offsets, self._latest = self._latest, {}
        if not offsets:
            return
        try:
            await self._consumer.commit(offsets)
        except Exception as error:  # e.g. a rebalance took a partition away meanwhile
            log.warning("%s: offsets not committed (%s); they will be again", self._name, error)
            assigned = self._consumer.assignment()
            for tp, offset in offsets.items():
                if tp in assigned:
                    self._latest.setdefault(tp, offset)
