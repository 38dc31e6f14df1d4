"""The hash chain over an event log.

Each event's hash is computed in two steps, both SHA-256::

    content = SHA-256( str(stream_id) || str(event_id) || str(event_type)
                       || bytes(payload) || bytes(metadata) )
    hash    = SHA-256( prev_hash || u64 position || u64 stream_version
                       || i64 recorded_at || content )

where ``str(x)`` is ``u32 length || UTF-8 bytes``, ``bytes(x)`` is ``u32 length || x``, integers
are big-endian, ``recorded_at`` is microseconds since 1970-01-01T00:00:00Z, ``event_id`` is
the canonical lower-case UUID text, ``event_type`` the protobuf full name, ``payload`` the
protobuf bytes and ``metadata`` the canonical JSON bytes exactly as stored. The first event's
``prev_hash`` is 32 zero bytes.

Splitting off ``content`` lets a writer hash an event's body before it takes the store's lock;
only the 88-byte link is hashed under it. Anyone holding an exported log can recompute the
chain with nothing but SHA-256; a change to any field of any event changes every later hash.
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
_LINK = struct.Struct(">32sQQq")


def micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch, exactly (no float on the way)."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def content_digest(
    stream_id: str, event_id: str, event_type: str, payload: bytes, metadata_json: bytes
) -> bytes:
    """The digest of what an event says, independent of where it lands in the log."""
    sid, eid, etype = stream_id.encode(), event_id.encode(), event_type.encode()
    pack = _U32.pack
    joined = b"".join(
        (
            pack(len(sid)), sid, pack(len(eid)), eid, pack(len(etype)), etype,
            pack(len(payload)), payload, pack(len(metadata_json)), metadata_json,
        )
    )  # fmt: skip
    return hashlib.sha256(joined).digest()


def link_hash(
    prev_hash: bytes, position: int, stream_version: int, recorded_at_us: int, content: bytes
) -> bytes:
    """The event's hash: its content digest chained to the previous hash at its place."""
    return hashlib.sha256(
        _LINK.pack(prev_hash, position, stream_version, recorded_at_us) + content
    ).digest()


def event_hash(prev_hash: bytes, event: RecordedEvent) -> bytes:
    """Recompute a recorded event's hash from its fields."""
    content = content_digest(
        event.stream_id, event.event_id, event.event_type, event.payload, event.metadata_json
    )
    return link_hash(
        prev_hash, event.position, event.stream_version, micros(event.recorded_at), content
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
