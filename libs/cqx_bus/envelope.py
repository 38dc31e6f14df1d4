"""Recorded events as bus messages (``cqx.eventing.v1.EventEnvelope``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from google.protobuf.timestamp_pb2 import Timestamp

from cqx_bus.errors import UndecodableMessageError
from cqx_eventstore.hashing import event_hash, micros
from cqx_eventstore.model import RecordedEvent, encode_metadata

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def topic_for(context: str) -> str:
    """The topic a context publishes its events to: ``cqx.<context>.v1.events``."""
    return f"cqx.{context}.v1.events"


def from_recorded(
    source: str, event: RecordedEvent, metadata: Mapping[str, str] | None = None
) -> EventEnvelope:
    """Wrap a recorded event, with every field the hash chain covers.

    ``metadata`` may pass the event's decoded metadata when the caller has it already.
    """
    at = micros(event.recorded_at)
    return EventEnvelope(
        source=source,
        position=event.position,
        stream_id=event.stream_id,
        stream_version=event.stream_version,
        event_id=event.event_id,
        event_type=event.event_type,
        payload=event.payload,
        metadata=event.metadata if metadata is None else metadata,
        recorded_at=Timestamp(seconds=at // 1_000_000, nanos=at % 1_000_000 * 1000),
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


def to_recorded(envelope: EventEnvelope) -> RecordedEvent:
    """The recorded event an envelope carries (the inverse of :func:`from_recorded`)."""
    stamp = envelope.recorded_at
    return RecordedEvent(
        position=envelope.position,
        stream_id=envelope.stream_id,
        stream_version=envelope.stream_version,
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        payload=envelope.payload,
        metadata_json=encode_metadata(envelope.metadata),
        recorded_at=_EPOCH + timedelta(seconds=stamp.seconds, microseconds=stamp.nanos // 1000),
        prev_hash=envelope.prev_hash,
        hash=envelope.hash,
    )


def hash_holds(envelope: EventEnvelope) -> bool:
    """Whether the envelope's ``hash`` is the hash chain's hash of its content, at its place
    after its ``prev_hash`` (the event store's own function, :func:`event_hash`)."""
    return event_hash(envelope.prev_hash, to_recorded(envelope)) == envelope.hash


def decode(value: bytes | None) -> EventEnvelope:
    """Parse a message value; raise UndecodableMessageError with the reason if it is not one."""
    if not value:
        raise UndecodableMessageError("empty message")
    envelope = EventEnvelope()
    try:
        envelope.ParseFromString(value)
    except Exception as error:  # protobuf raises DecodeError or its own subclasses
        raise UndecodableMessageError(f"not an EventEnvelope: {error}") from error
    missing = [
        f for f in ("source", "stream_id", "event_id", "event_type") if not getattr(envelope, f)
    ]
    if missing or envelope.position == 0:
        raise UndecodableMessageError(f"envelope lacks {', '.join(missing) or 'position'}")
    try:
        uuid.UUID(envelope.event_id)
    except ValueError as error:
        raise UndecodableMessageError(f"event id {envelope.event_id!r} is not a UUID") from error
    return envelope
