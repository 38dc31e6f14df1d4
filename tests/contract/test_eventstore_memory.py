"""The in-memory event store against the event store contract."""

from __future__ import annotations

import pytest

from cqx_eventstore import EventStore, InMemoryEventStore
from tests.contract.eventstore_contract import EventStoreContract


class TestInMemoryEventStore(EventStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryEventStore:
        return InMemoryEventStore()

    async def tamper(self, store: EventStore, position: int) -> None:
        assert isinstance(store, InMemoryEventStore)
        store.tamper(position, b"forged")
