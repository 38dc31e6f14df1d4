"""Event rows in PostgreSQL's binary COPY format, built in two halves.

The half that depends only on the event (stream id, event id, type, payload, metadata) is
encoded before the store's lock is taken; under the lock only the fixed-width tail (position,
version, time, previous hash, hash) is packed. The column order of :data:`COLUMNS` matches.
"""

from __future__ import annotations

import struct

COLUMNS = (
    "stream_id", "event_id", "event_type", "payload", "metadata",
    "position", "stream_version", "recorded_at", "prev_hash", "hash",
)  # fmt: skip
HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
_PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in microseconds since 1970-01-01
_TAIL = struct.Struct(">iqiqiqi32si32s")
_COUNT = struct.pack(">h", len(COLUMNS))
_LEN = struct.Struct(">i")


def row_prefix(
    stream_id: str, event_id: str, event_type: str, payload: bytes, meta: bytes
) -> bytes:
    """The first five fields of a row, preceded by the field count."""
    # event_id is a canonical UUID (checked by planning.validate): its hex digits are its bytes.
    sid, etype, pack = stream_id.encode(), event_type.encode(), _LEN.pack
    return b"".join(
        (
            _COUNT,
            pack(len(sid)), sid,
            b"\x00\x00\x00\x10", bytes.fromhex(event_id.replace("-", "")),
            pack(len(etype)), etype,
            pack(len(payload)), payload,
            pack(len(meta)), meta,
        )
    )  # fmt: skip


def row_tail(
    position: int, version: int, recorded_at_us: int, prev_hash: bytes, digest: bytes
) -> bytes:
    """The last five fields of a row: fixed width, packed under the lock."""
    return _TAIL.pack(
        8, position, 8, version, 8, recorded_at_us - _PG_EPOCH_US, 32, prev_hash, 32, digest
    )
