"""Errors of the event store: one root, each a kind of :mod:`cqx_kernel.errors`."""

from __future__ import annotations

from cqx_kernel.errors import ConflictError, CqxError, InvalidArgumentError, UnavailableError


class EventStoreError(CqxError):
    """Root of the event store's errors."""

    default_reason = "EVENT_STORE_ERROR"


class ConcurrencyError(EventStoreError, ConflictError):
    """A stream was not at the version the caller expected: someone appended first.

    Read the stream again, decide again, append again.
    """

    default_reason = "CONCURRENT_MODIFICATION"

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"stream {stream_id!r} is at version {actual}, expected {expected}",
            metadata={"stream_id": stream_id, "expected": str(expected), "actual": str(actual)},
        )
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class InvalidAppendError(EventStoreError, InvalidArgumentError):
    """An append request that can never succeed (empty stream id, bad schema name ...)."""

    default_reason = "INVALID_APPEND"


class StoreUnavailableError(EventStoreError, UnavailableError):
    """The database cannot be reached."""

    default_reason = "EVENT_STORE_UNAVAILABLE"
