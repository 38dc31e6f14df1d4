"""How a batch of units of work becomes rows: shared by every store, so they agree exactly.

The caller holds the store's write lock, reads what the batch touches (the streams' versions,
the request ids and tracking records seen before), and asks :func:`plan_commit` for the rows
to write and one outcome per unit. Units are decided in order: a later unit sees the versions
an earlier unit of the same batch produced.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cqx_eventstore.errors import ConcurrencyError, InvalidAppendError
from cqx_eventstore.hashing import canonical_encoding, chain_hash, micros
from cqx_eventstore.model import (
    AlreadyHandled,
    Committed,
    Duplicate,
    IdempotencyRecord,
    Outcome,
    RecordedEvent,
    TrackingRecord,
    UnitOfWork,
    encode_metadata,
)

UnitResult = Outcome | ConcurrencyError


@dataclass
class CommitPlan:
    """The rows one transaction writes, and what to answer each unit."""

    events: list[RecordedEvent] = field(default_factory=list)
    idempotency: list[tuple[IdempotencyRecord, int]] = field(default_factory=list)
    tracking: list[tuple[TrackingRecord, int]] = field(default_factory=list)
    results: list[UnitResult] = field(default_factory=list)
    head_position: int = 0
    head_hash: bytes = b""


def streams_of(units: Sequence[UnitOfWork]) -> list[str]:
    """The distinct stream ids a batch appends to."""
    return list({r.stream_id for u in units for r in u.requests})


def _canonical_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


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
    units: Sequence[UnitOfWork],
    *,
    head_position: int,
    head_hash: bytes,
    versions: Mapping[str, int],
    outcomes: Mapping[str, bytes],
    handled: Collection[tuple[str, str]],
    now: Callable[[], datetime],
) -> CommitPlan:
    """Decide every unit in order and build the rows of the ones that commit."""
    plan = CommitPlan(head_position=head_position, head_hash=head_hash)
    current = dict(versions)
    seen_requests = dict(outcomes)
    seen_tracking = set(handled)
    for unit in units:
        result = _decide_unit(unit, current, seen_requests, seen_tracking)
        if result is None:
            result = _write_unit(plan, unit, current, now())
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
    plan: CommitPlan, unit: UnitOfWork, current: dict[str, int], recorded_at: datetime
) -> Committed:
    positions: list[int] = []
    at_us = micros(recorded_at)
    for request in unit.requests:
        metadata_json = encode_metadata(request.metadata)
        version = current.get(request.stream_id, 0)
        for new in request.events:
            version += 1
            plan.head_position += 1
            position = plan.head_position
            digest = chain_hash(
                plan.head_hash,
                canonical_encoding(
                    position,
                    request.stream_id,
                    version,
                    new.event_id,
                    new.event_type,
                    at_us,
                    new.payload,
                    metadata_json,
                ),
            )
            plan.events.append(
                RecordedEvent(
                    position,
                    request.stream_id,
                    version,
                    new.event_id,
                    new.event_type,
                    new.payload,
                    metadata_json,
                    recorded_at,
                    plan.head_hash,
                    digest,
                )
            )
            plan.head_hash = digest
            positions.append(position)
        current[request.stream_id] = version
    anchor = plan.head_position
    if unit.idempotency is not None:
        plan.idempotency.append((unit.idempotency, anchor))
    plan.tracking.extend((t, anchor) for t in unit.tracking)
    return Committed(tuple(positions))
