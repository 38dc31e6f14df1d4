"""What goes into the event store and what comes out of it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

Metadata = Mapping[str, str]


def encode_metadata(metadata: Metadata) -> bytes:
    """The canonical bytes of event metadata: JSON, keys sorted, no spaces, UTF-8.

    These bytes are stored as they are and hashed as they are, so a reader never has to
    re-serialise anything to check the chain.
    """
    return json.dumps(
        dict(metadata), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append: its id (chosen by the caller), protobuf type name and payload."""

    event_id: str
    event_type: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class AppendRequest:
    """Events for one stream, appended only if the stream is at ``expected_version``.

    Versions count from 1; a new stream is at version 0. ``expected_version=None`` skips the
    check (for streams with one writer by construction, e.g. a relay's own log).
    """

    stream_id: str
    expected_version: int | None
    events: Sequence[NewEvent]
    metadata: Metadata = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The outcome of a client request (AIP-155), recorded with the events it caused."""

    request_id: str
    outcome: bytes


@dataclass(frozen=True, slots=True)
class TrackingRecord:
    """A consumer has handled a foreign event; recorded with the events it caused."""

    consumer: str
    event_id: str


@dataclass(frozen=True, slots=True)
class UnitOfWork:
    """Everything one command or one handled message writes: all of it commits, or none.

    A unit whose request id was seen before is answered with the first outcome; a unit whose
    tracking record exists already is skipped; a unit whose stream is not at the expected
    version fails with :class:`~cqx_eventstore.errors.ConcurrencyError`.
    """

    requests: Sequence[AppendRequest] = ()
    idempotency: IdempotencyRecord | None = None
    tracking: Sequence[TrackingRecord] = ()


@dataclass(frozen=True, slots=True)
class Committed:
    """The unit was committed; ``positions`` are its events' global positions, in order."""

    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Duplicate:
    """The unit's request id was recorded before: here is the first outcome."""

    outcome: bytes


@dataclass(frozen=True, slots=True)
class AlreadyHandled:
    """Every tracking record of the unit exists already: the message was handled before."""


Outcome = Committed | Duplicate | AlreadyHandled


# (position, stream_id, stream_version, event_type, payload): what a projection folds.
EventRow = tuple[int, str, int, str, bytes]


class RecordedEvent(NamedTuple):
    """An event as stored: a tuple, so replaying millions of them stays cheap.

    ``metadata_json`` holds the canonical bytes that were hashed; :attr:`metadata` decodes them.
    """

    position: int
    stream_id: str
    stream_version: int
    event_id: str
    event_type: str
    payload: bytes
    metadata_json: bytes
    recorded_at: datetime
    prev_hash: bytes
    hash: bytes

    @property
    def metadata(self) -> dict[str, str]:
        """The event's metadata (correlation, causation, actor, request id)."""
        decoded: dict[str, str] = json.loads(self.metadata_json)
        return decoded
