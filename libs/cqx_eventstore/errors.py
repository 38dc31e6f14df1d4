"""Errors of the event store: one root, each a kind of :mod:`cqx_kernel.errors`."""

from __future__ import annotations

from cqx_kernel.errors import (
    AlreadyExistsError,
    ConflictError,
    CqxError,
    FailedPreconditionError,
    InvalidArgumentError,
    UnavailableError,
)


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
    """The database cannot be reached, or the connection was lost during the operation.

    A connection lost while a commit was in flight leaves its fate unknown: a retry must be
    idempotent (a request id, a tracking record), which every CQX writer's is.
    """

    default_reason = "EVENT_STORE_UNAVAILABLE"


class EventStoreBusyError(EventStoreError, UnavailableError):
    """The store's write lock was not granted within the lock timeout; nothing was written.

    Another transaction holds the ``head`` row (a second writer on the same schema, or an
    administrator's long transaction). The append was rolled back whole, so sending it again
    unchanged is safe.
    """

    default_reason = "EVENT_STORE_BUSY"


class DuplicateEventIdError(EventStoreError, AlreadyExistsError):
    """An event id the batch would record is recorded already (event ids are unique)."""

    default_reason = "EVENT_ID_ALREADY_RECORDED"


class AppendOnlyViolationError(EventStoreError, FailedPreconditionError):
    """The log refused to change or remove a recorded row: it is append-only."""

    default_reason = "EVENT_LOG_APPEND_ONLY"


class EventStoreDatabaseError(EventStoreError):
    """Any other refusal by the database, with its SQLSTATE (``sqlstate``, and in metadata)."""

    default_reason = "EVENT_STORE_DATABASE_ERROR"

    def __init__(self, message: str, *, sqlstate: str, reason: str | None = None) -> None:
        super().__init__(message, reason=reason, metadata={"sqlstate": sqlstate})
        self.sqlstate = sqlstate
