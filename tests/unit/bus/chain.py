"""A source's log as its relay publishes it: envelopes at consecutive positions, each hashed by
the event store's own function and chained to the one before."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_bus.envelope import from_recorded
from cqx_eventstore.hashing import GENESIS_HASH, event_hash
from cqx_eventstore.model import RecordedEvent, encode_metadata


class SourceLog:
    """The next envelopes of ``source``'s log."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0
        self.hash = GENESIS_HASH

    def append(
        self, event_type: str, payload: bytes = b"", stream_id: str = "x-1"
    ) -> EventEnvelope:
        """The envelope of the log's next event."""
        metadata = {"correlation_id": "corr-1"}
        event = RecordedEvent(
            self.position + 1, stream_id, self.position + 1, str(uuid.uuid4()), event_type,
            payload, encode_metadata(metadata), datetime(2025, 7, 1, 9, 30, tzinfo=UTC),
            self.hash, b"",
        )  # fmt: skip
        event = event._replace(hash=event_hash(self.hash, event))
        self.position, self.hash = event.position, event.hash
        return from_recorded(self.source, event, metadata)
