"""The PostgreSQL driver's errors, translated into the event store's own (one place).

No asyncpg exception leaves the adapter: a caller handles :class:`EventStoreError` and its
kinds, whatever the driver. As pyeventsourcing's recorders do, the translation goes by what
the error means for the caller:

=============================================  ===========================================
driver error                                   event store error (kind)
=============================================  ===========================================
unique violation on (stream id, version)       ConcurrencyError (Conflict, retriable)
unique violation on the event id               DuplicateEventIdError (AlreadyExists)
lock_not_available (55P03, the lock timeout)   EventStoreBusyError (Unavailable, retriable)
transaction rollback (class 40: deadlock ...)  EventStoreBusyError (Unavailable, retriable)
restrict_violation (23001, append-only log)    AppendOnlyViolationError (FailedPrecondition)
connection lost or refused (class 08, class    StoreUnavailableError (Unavailable, retriable)
57 shutdown/cancel, class 53, interface
errors, OSError, the driver's connect timeout)
any other PostgresError or client error        EventStoreDatabaseError, with the SQLSTATE
=============================================  ===========================================
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence

import asyncpg

from cqx_eventstore.errors import (
    AppendOnlyViolationError,
    ConcurrencyError,
    DuplicateEventIdError,
    EventStoreBusyError,
    EventStoreDatabaseError,
    EventStoreError,
    StoreUnavailableError,
)
from cqx_eventstore.planning import PreparedUnit

# Constraint names of 0001_event_store.sql.
STREAM_VERSION_KEY = "events_stream_version_key"
EVENT_ID_KEY = "events_event_id_key"
# "Key (stream_id, stream_version)=(order-7, 3) already exists." The version is the last,
# numeric field, so a stream id holding ", " still parses.
_STREAM_VERSION_DETAIL = re.compile(r"\(stream_id, stream_version\)=\((.*), (\d+)\)")
_UNAVAILABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.InterfaceError,
    OSError,
    TimeoutError,
)
_BUSY = (asyncpg.exceptions.LockNotAvailableError, asyncpg.exceptions.TransactionRollbackError)

# Given the stream id of a version conflict, the version its writer expected (None: unknown).
ExpectedVersion = Callable[[str], "int | None"]


@contextlib.contextmanager
def driver_errors(expected_version: ExpectedVersion | None = None) -> Iterator[None]:
    """Translate the driver's errors raised inside the block (see the module docstring).

    ``expected_version`` lets an append name the version it expected in a ConcurrencyError.
    Exceptions that are not the driver's (CancelledError, our own errors) pass unchanged.
    """
    try:
        yield
    except EventStoreError:
        raise
    except (asyncpg.PostgresError, asyncpg.exceptions.InternalClientError, *_UNAVAILABLE) as error:
        raise translate(error, expected_version) from error


def translate(error: Exception, expected_version: ExpectedVersion | None = None) -> EventStoreError:
    """The event store's error for one driver error."""
    if isinstance(error, asyncpg.UniqueViolationError):
        unique = _unique_violation(error, expected_version)
        if unique is not None:
            return unique
    if getattr(error, "sqlstate", None) == "40003":  # statement_completion_unknown
        return StoreUnavailableError(
            f"the event store cannot tell whether the commit happened: {error}",
            metadata={"sqlstate": "40003"},
        )
    if isinstance(error, _BUSY):
        return EventStoreBusyError(
            f"the event store is busy, nothing was written: {error}",
            metadata={"sqlstate": error.sqlstate},
        )
    if isinstance(error, asyncpg.RestrictViolationError):
        return AppendOnlyViolationError(str(error), metadata={"sqlstate": error.sqlstate})
    if isinstance(error, _UNAVAILABLE):
        return StoreUnavailableError(
            f"the event store database is unavailable: {error or type(error).__name__}",
            metadata={"sqlstate": getattr(error, "sqlstate", None) or ""},
        )
    sqlstate = getattr(error, "sqlstate", None) or ""
    return EventStoreDatabaseError(f"the event store database refused: {error}", sqlstate=sqlstate)


def _unique_violation(
    error: asyncpg.UniqueViolationError, expected_version: ExpectedVersion | None
) -> EventStoreError | None:
    constraint = getattr(error, "constraint_name", None)
    if constraint == EVENT_ID_KEY:
        return DuplicateEventIdError(
            f"an event id is recorded already: {error.detail or error}",
            metadata={"sqlstate": error.sqlstate},
        )
    if constraint != STREAM_VERSION_KEY:
        return None
    # A writer that did not take the head lock recorded this version first (the store's own
    # writers see each other's versions under the lock, so they never get here).
    match = _STREAM_VERSION_DETAIL.search(error.detail or "")
    if match is None:
        return ConcurrencyError("", -1, -1)
    stream_id, version = match.group(1), int(match.group(2))
    expected = expected_version(stream_id) if expected_version is not None else None
    return ConcurrencyError(stream_id, version - 1 if expected is None else expected, version)


def expected_versions(prepared: Sequence[PreparedUnit]) -> ExpectedVersion:
    """For a version conflict the database raised in a batch: the version the batch expected."""

    def expected(stream_id: str) -> int | None:
        for unit in prepared:
            for request in unit.unit.requests:
                if request.stream_id == stream_id:
                    return request.expected_version
        return None

    return expected
