"""How a batch of units of work becomes rows: shared by every store, so they agree exactly.

The caller holds the store's write lock, reads what the batch touches (the streams' versions,
the request ids and tracking records seen before), and asks :func:`plan_commit` for the rows
to write and one outcome per unit. Units are decided in order: a later unit sees the versions
an earlier unit of the same batch produced.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cqx_eventstore.errors import ConcurrencyError, InvalidAppendError
from cqx_eventstore.hashing import content_digest, link_hash, micros
from cqx_eventstore.model import (
    AlreadyHandled,
    Committed,
    Duplicate,
    IdempotencyRecord,
    NewEvent,
    Outcome,
    RecordedEvent,
    TrackingRecord,
    UnitOfWork,
    encode_metadata,
)
from cqx_eventstore.pgcopy import row_prefix, row_tail

UnitResult = Outcome | ConcurrencyError


@dataclass
class CommitPlan:
    """The rows one transaction writes, and what to answer each unit."""

    recorded_at: datetime
    events: list[PlannedEvent] = field(default_factory=list)
    idempotency: list[tuple[IdempotencyRecord, int]] = field(default_factory=list)
    tracking: list[tuple[TrackingRecord, int]] = field(default_factory=list)
    results: list[UnitResult] = field(default_factory=list)
    head_position: int = 0
    head_hash: bytes = b""

    def recorded(self) -> list[RecordedEvent]:
        """The planned events as the store will return them."""
        at = self.recorded_at
        return [
            RecordedEvent(position, prepared[0], version, prepared[1].event_id,
                          prepared[1].event_type, prepared[1].payload, prepared[2], at,
                          prev_hash, digest)
            for prepared, position, version, prev_hash, digest, _ in self.events
        ]  # fmt: skip


# (stream id, event, canonical metadata, content digest, binary COPY row prefix): all that
# needs no lock.
_PreparedEvent = tuple[str, NewEvent, bytes, bytes, bytes]
# (prepared event, position, version, previous hash, hash, binary COPY row).
PlannedEvent = tuple[_PreparedEvent, int, int, bytes, bytes, bytes]


@dataclass(frozen=True, slots=True)
class PreparedUnit:
    """A unit of work with its events' content already hashed (done before the lock)."""

    unit: UnitOfWork
    events: tuple[tuple[_PreparedEvent, ...], ...]  # one tuple per append request


def prepare(units: Sequence[UnitOfWork]) -> list[PreparedUnit]:
    """Validate the units and hash their events' content: the work that needs no lock."""
    encoded: dict[tuple[tuple[str, str], ...], bytes] = {}
    prepared = []
    for unit in units:
        validate(unit)
        requests = []
        for request in unit.requests:
            key = tuple(sorted(request.metadata.items()))
            metadata_json = encoded.get(key)
            if metadata_json is None:
                metadata_json = encoded[key] = encode_metadata(request.metadata)
            sid = request.stream_id
            requests.append(
                tuple(
                    (sid, e, metadata_json,
                     content_digest(sid, e.event_id, e.event_type, e.payload, metadata_json),
                     row_prefix(sid, e.event_id, e.event_type, e.payload, metadata_json))
                    for e in request.events
                )
            )  # fmt: skip
        prepared.append(PreparedUnit(unit, tuple(requests)))
    return prepared


def streams_of(units: Sequence[PreparedUnit]) -> list[str]:
    """The distinct stream ids a batch appends to."""
    return list({r.stream_id for u in units for r in u.unit.requests})


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _canonical_uuid(value: str) -> bool:
    return _CANONICAL_UUID.fullmatch(value) is not None


def validate(unit: UnitOfWork) -> None:
    """Reject a unit that could never be written, before any lock is taken.

    Event ids must be canonical (lower-case, hyphenated) UUIDs: the hash covers their text,
    so the text that is stored must be the text that comes back.
    """
    for request in unit.requests:
        if not request.stream_id:
            raise InvalidAppendError("an append needs a stream id", reason="STREAM_ID_MISSING")
        if request.expected_version is not None and request.expected_version < 0:
            raise InvalidAppendError("expected version must be 0 or more")
        for event in request.events:
            if not _canonical_uuid(event.event_id):
                raise InvalidAppendError(
                    f"event id {event.event_id!r} is not a canonical UUID", reason="BAD_EVENT_ID"
                )
    for record in unit.tracking:
        if not _canonical_uuid(record.event_id):
            raise InvalidAppendError(
                f"tracked event id {record.event_id!r} is not a canonical UUID",
                reason="BAD_EVENT_ID",
            )


def plan_commit(
    units: Sequence[PreparedUnit],
    *,
    head_position: int,
    head_hash: bytes,
    versions: Mapping[str, int],
    outcomes: Mapping[str, bytes],
    handled: Collection[tuple[str, str]],
    recorded_at: datetime,
) -> CommitPlan:
    """Decide every unit in order and build the rows of the ones that commit (under the lock)."""
    plan = CommitPlan(recorded_at, head_position=head_position, head_hash=head_hash)
    current = dict(versions)
    seen_requests = dict(outcomes)
    seen_tracking = set(handled)
    at_us = micros(recorded_at)
    for prepared in units:
        unit = prepared.unit
        result = _decide_unit(unit, current, seen_requests, seen_tracking)
        if result is None:
            result = _write_unit(plan, prepared, current, at_us)
            if unit.idempotency is not None:
                seen_requests[unit.idempotency.request_id] = unit.idempotency.outcome
            seen_tracking.update((t.consumer, t.event_id) for t in unit.tracking)
        plan.results.append(result)
    return plan


def _decide_unit(
    unit: UnitOfWork,
    current: Mapping[str, int],
    seen_requests: Mapping[str, bytes],
    seen_tracking: Collection[tuple[str, str]],
) -> UnitResult | None:
    if unit.idempotency is not None and unit.idempotency.request_id in seen_requests:
        return Duplicate(seen_requests[unit.idempotency.request_id])
    if unit.tracking and all((t.consumer, t.event_id) in seen_tracking for t in unit.tracking):
        return AlreadyHandled()
    for request in unit.requests:
        actual = current.get(request.stream_id, 0)
        if request.expected_version is not None and request.expected_version != actual:
            return ConcurrencyError(request.stream_id, request.expected_version, actual)
    return None


def _write_unit(
    plan: CommitPlan, prepared: PreparedUnit, current: dict[str, int], at_us: int
) -> Committed:
    first = plan.head_position + 1
    events = plan.events
    position, head_hash = plan.head_position, plan.head_hash
    for request in prepared.events:
        if not request:
            continue
        stream_id = request[0][0]
        version = current.get(stream_id, 0)
        for event in request:
            version += 1
            position += 1
            digest = link_hash(head_hash, position, version, at_us, event[3])
            row = event[4] + row_tail(position, version, at_us, head_hash, digest)
            events.append((event, position, version, head_hash, digest, row))
            head_hash = digest
        current[stream_id] = version
    plan.head_position, plan.head_hash = position, head_hash
    unit = prepared.unit
    if unit.idempotency is not None:
        plan.idempotency.append((unit.idempotency, position))
    plan.tracking.extend((t, position) for t in unit.tracking)
    return Committed(tuple(range(first, position + 1)))
