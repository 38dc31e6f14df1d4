"""A consumer of another context's events, with exactly-once effect.

For each batch of messages: decode each envelope (an undecodable one goes to the dead-letter
table with the reason, and the consumer goes on, as does a message the handler finds unusable:
:class:`~cqx_bus.errors.UnusableMessageError`), check where it comes from
(:mod:`cqx_bus.provenance`: its source, its hash, its link to the last one; one that fails is
dead-lettered with the reason, logged as an ERROR and counted, never applied), keep those of
the event types the service acts on, skip the ones already handled, ask the handler what each
one causes, and commit all of it together with one tracking record per message in the service's
event store (a message that causes nothing records nothing: redelivered, it again causes
nothing). Only after that transaction does it commit the Kafka offsets, in the background (a
:class:`LatestValueWriter`: the next batch is fetched while the last one's offsets travel; a
failed commit is logged and tried again). A redelivered message finds its tracking record and
changes nothing. A service that keeps its state in memory passes ``submit`` (its journal's), so
that consumed events and commands are recorded in the one order they were decided in.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_bus.access import KafkaAccess
from cqx_bus.bookkeeping import Bookkeeping, DeadLetter
from cqx_bus.envelope import decode
from cqx_bus.errors import UndecodableMessageError, UnusableMessageError
from cqx_bus.latest import LatestValueWriter, OnWriteFailure
from cqx_bus.provenance import EnvelopeRefusedError, ProvenanceCheck
from cqx_eventstore.errors import ConcurrencyError
from cqx_eventstore.model import Outcome, TrackingRecord, UnitOfWork
from cqx_eventstore.port import EventStore

log = logging.getLogger("cqx.bus.consumer")

Handler = Callable[[EventEnvelope], Awaitable[UnitOfWork]]
Submit = Callable[[UnitOfWork], "asyncio.Future[Outcome]"]
OnRefused = Callable[[str, str], None]  # (the topic's owner, the reason)
# A handler whose decision raced another writer is asked again, this many times at most.
_RETRIES = 20
FINAL_COMMIT_SECONDS = 5.0


class Consumer:
    """Consumes ``topics`` (each topic with the context that publishes it) as group ``name``,
    as ``access``'s principal, and applies ``handler`` to each new event. ``on_refused`` hears
    of each envelope the checks refuse (see :attr:`refused`)."""

    def __init__(
        self,
        name: str,
        topics: Mapping[str, str],
        *,
        access: KafkaAccess,
        store: EventStore,
        bookkeeping: Bookkeeping,
        handler: Handler,
        max_records: int = 1000,
        group_id: str | None = None,
        submit: Submit | None = None,
        event_types: Collection[str] | None = None,
        on_refused: OnRefused | None = None,
    ) -> None:
        self.name = name
        self._group_id = group_id or name
        self._consumer: AIOKafkaConsumer | None = None
        self._topics = list(topics)
        self._access = access
        self._provenance = ProvenanceCheck(name, topics, bookkeeping)
        self._on_refused = on_refused
        self.refused = 0
        """How many envelopes the checks refused since the start."""
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
            **self._access.client_options(),
            group_id=self._group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            metadata_max_age_ms=5000,
        )
        await consumer.start()
        self._consumer = consumer
        try:
            # The stop's wait is bounded: aiokafka retries a commit for as long as the broker
            # is away, and a lost commit only means messages delivered again.
            async with _offsets_writer(consumer, self.name) as offsets:
                while True:
                    batches = await consumer.getmany(timeout_ms=500, max_records=self._max_records)
                    if not batches:
                        continue
                    records = [r for partition in batches.values() for r in partition]
                    await self.handle(records)
                    offsets.offer({tp: rs[-1].offset + 1 for tp, rs in batches.items() if rs})
        finally:
            self._consumer = None
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
            envelope = await self._admitted(record)
            if envelope is None:
                continue
            if self._wanted is None or envelope.event_type in self._wanted:
                envelopes.append(envelope)
                records_of.setdefault(envelope.event_id, record)
        if envelopes:
            await self._apply(envelopes, records_of)
        await self._provenance.save()  # after the effects, before the offsets

    async def _admitted(self, record: ConsumerRecord) -> EventEnvelope | None:
        """The record's envelope if it decodes and passes the checks and is no repeat."""
        try:
            envelope = decode(record.value)
        except UndecodableMessageError as error:
            await self._dead_letter(record, error.message)
            return None
        try:
            chained = self._one_partition(record.topic)
            if await self._provenance.admit(record.topic, envelope, chained=chained):
                return envelope
        except EnvelopeRefusedError as error:
            await self._dead_letter(record, f"{error.reason}: {error.message}", logging.ERROR)
            self.refused += 1
            if self._on_refused is not None:
                self._on_refused(self._provenance.owners.get(record.topic, ""), error.reason)
        return None

    def _one_partition(self, topic: str) -> bool:
        """Whether ``topic`` has one partition (so its envelopes follow the source's log in
        order); a topic whose metadata is unknown (no broker: unit tests) counts as one."""
        partitions = None if self._consumer is None else self._consumer.partitions_for_topic(topic)
        return partitions is None or len(partitions) == 1

    async def _apply(
        self, envelopes: list[EventEnvelope], records_of: dict[str, ConsumerRecord]
    ) -> None:
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
            # A handler that decides in memory (``submit``) cannot be asked again: its first
            # decision is applied already. Only a stateless handler retries a conflict.
            if isinstance(result, ConcurrencyError) and self._submit is None:
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

    async def _dead_letter(
        self, record: ConsumerRecord, reason: str, level: int = logging.WARNING
    ) -> None:
        log.log(
            level, "dead letter %s[%d]@%d: %s", record.topic, record.partition, record.offset,
            reason,
        )  # fmt: skip
        await self._bookkeeping.put_dead_letter(
            DeadLetter(
                self.name, record.topic, record.partition, record.offset,
                record.key, record.value, reason,
            )
        )  # fmt: skip


__all__ = ["Consumer", "Handler", "TopicPartition"]


def _causes_nothing(unit: UnitOfWork) -> bool:
    return not unit.requests and unit.idempotency is None and not unit.tracking


_Offsets = dict[TopicPartition, int]


def _offsets_writer(consumer: AIOKafkaConsumer, name: str) -> LatestValueWriter[_Offsets]:
    """Kafka offsets of handled messages, committed in the background. Offsets not committed
    yet merge per partition (the newest wins); a failed commit is logged and tried again."""

    async def commit(offsets: _Offsets) -> None:
        # A partition a rebalance took away meanwhile is no longer ours to commit.
        assigned = consumer.assignment()
        mine = {tp: offset for tp, offset in offsets.items() if tp in assigned}
        if mine:
            await consumer.commit(mine)

    return LatestValueWriter(
        commit, name=f"{name} offsets", on_failure=OnWriteFailure.RETRY,
        merge=lambda older, newer: {**older, **newer}, stop_timeout=FINAL_COMMIT_SECONDS,
    )  # fmt: skip
