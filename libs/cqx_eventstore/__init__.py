"""The CQX event store: an append-only, hash-chained log per service (see DESIGN.md)."""

from cqx_eventstore.errors import (
    AppendOnlyViolationError,
    ConcurrencyError,
    DuplicateEventIdError,
    EventStoreBusyError,
    EventStoreDatabaseError,
    EventStoreError,
    InvalidAppendError,
    StoreUnavailableError,
)
from cqx_eventstore.group_commit import GroupCommitter
from cqx_eventstore.hashing import GENESIS_HASH, verify_chain
from cqx_eventstore.memory import InMemoryEventStore
from cqx_eventstore.model import (
    AlreadyHandled,
    AppendRequest,
    Committed,
    Duplicate,
    IdempotencyRecord,
    NewEvent,
    Outcome,
    RecordedEvent,
    TrackingRecord,
    UnitOfWork,
)
from cqx_eventstore.port import EventStore

__all__ = [
    "GENESIS_HASH",
    "AlreadyHandled",
    "AppendOnlyViolationError",
    "AppendRequest",
    "Committed",
    "ConcurrencyError",
    "Duplicate",
    "DuplicateEventIdError",
    "EventStore",
    "EventStoreBusyError",
    "EventStoreDatabaseError",
    "EventStoreError",
    "GroupCommitter",
    "IdempotencyRecord",
    "InMemoryEventStore",
    "InvalidAppendError",
    "NewEvent",
    "Outcome",
    "RecordedEvent",
    "StoreUnavailableError",
    "TrackingRecord",
    "UnitOfWork",
    "verify_chain",
]
