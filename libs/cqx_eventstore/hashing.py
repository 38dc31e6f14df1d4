"""The hash chain over an event log.

Each event's hash is ``SHA-256(prev_hash || canonical(event))``; the first event's
``prev_hash`` is 32 zero bytes. The canonical encoding is a concatenation of fields, each
fixed-width big-endian integers or length-prefixed byte strings::

    u64 position
    u32 len || UTF-8 stream_id
    u64 stream_version
    u32 len || UTF-8 event_id          (canonical lower-case UUID text)
    u32 len || UTF-8 event_type        (protobuf full name)
    i64 recorded_at                    (microseconds since 1970-01-01T00:00:00Z)
    u32 len || payload                 (protobuf bytes, as stored)
    u32 len || metadata                (canonical JSON bytes, as stored)

Anyone holding an exported log can recompute the chain with nothing but SHA-256; a change to
any field of any event changes every later hash.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import AsyncIterable, Iterable
from datetime import UTC, datetime

from cqx_eventstore.model import RecordedEvent

GENESIS_HASH = bytes(32)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_U32 = struct.Struct(">I")
_HEAD = struct.Struct(">Q")
_TIME = struct.Struct(">q")


def micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch, exactly (no float on the way)."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _field(data: bytes) -> bytes:
    return _U32.pack(len(data)) + data


def canonical_encoding(
    position: int,
    stream_id: str,
    stream_version: int,
    event_id: str,
    event_type: str,
    recorded_at_us: int,
    payload: bytes,
    metadata_json: bytes,
) -> bytes:
    """The bytes that are hashed for one event (see the module docstring)."""
    return b"".join(
        (
            _HEAD.pack(position),
            _field(stream_id.encode()),
            _HEAD.pack(stream_version),
            _field(event_id.encode()),
            _field(event_type.encode()),
            _TIME.pack(recorded_at_us),
            _field(payload),
            _field(metadata_json),
        )
    )


def chain_hash(prev_hash: bytes, encoding: bytes) -> bytes:
    """The hash of an event given the previous event's hash and its canonical encoding."""
    return hashlib.sha256(prev_hash + encoding).digest()


def event_hash(prev_hash: bytes, event: RecordedEvent) -> bytes:
    """Recompute a recorded event's hash from its fields."""
    return chain_hash(
        prev_hash,
        canonical_encoding(
            event.position,
            event.stream_id,
            event.stream_version,
            event.event_id,
            event.event_type,
            micros(event.recorded_at),
            event.payload,
            event.metadata_json,
        ),
    )


class ChainVerifier:
    """Checks events one by one, in position order, and remembers the first break."""

    def __init__(self) -> None:
        self.prev_hash = GENESIS_HASH
        self.expected_position = 1
        self.first_broken: int | None = None
        self.count = 0

    def check(self, event: RecordedEvent) -> bool:
        """Check one event; False (and record the position) at the first break."""
        ok = (
            event.position == self.expected_position
            and event.prev_hash == self.prev_hash
            and event_hash(self.prev_hash, event) == event.hash
        )
        if not ok and self.first_broken is None:
            self.first_broken = event.position
        self.prev_hash = event.hash
        self.expected_position = event.position + 1
        self.count += 1
        return ok


def verify_chain(events: Iterable[RecordedEvent]) -> int | None:
    """The position of the first event whose chain link is broken, or None if all hold."""
    verifier = ChainVerifier()
    for event in events:
        if not verifier.check(event):
            return verifier.first_broken
    return None


async def verify_chain_async(events: AsyncIterable[RecordedEvent]) -> int | None:
    """As :func:`verify_chain`, over an async stream (constant memory)."""
    verifier = ChainVerifier()
    async for event in events:
        if not verifier.check(event):
            return verifier.first_broken
    return None
