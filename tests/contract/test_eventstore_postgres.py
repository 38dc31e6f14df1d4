"""The PostgreSQL event store against the event store contract, on a real server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from cqx_eventstore import EventStore
from cqx_eventstore.migrate import migrate, service_dsn
from cqx_eventstore.postgres import PostgresEventStore
from tests.contract.eventstore_contract import EventStoreContract


@pytest.fixture
async def pg_store(database_url: str, unique_name: str) -> AsyncIterator[PostgresEventStore]:
    await migrate(database_url, unique_name)
    store = await PostgresEventStore.connect(service_dsn(database_url, unique_name), unique_name)
    yield store
    await store.close()


class TestPostgresEventStore(EventStoreContract):
    @pytest.fixture
    def store(self, pg_store: PostgresEventStore, database_url: str) -> PostgresEventStore:
        self.database_url = database_url
        return pg_store

    async def tamper(self, store: EventStore, position: int) -> None:
        assert isinstance(store, PostgresEventStore)
        admin = await asyncpg.connect(self.database_url)
        try:
            # A superuser can switch the append-only trigger off; the chain still tells.
            await admin.execute("SET session_replication_role = replica")
            await admin.execute(
                f"UPDATE {store.schema}.events SET payload = 'forged' WHERE position = $1", position
            )
        finally:
            await admin.close()
