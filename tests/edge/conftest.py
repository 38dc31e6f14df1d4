"""The four real services, seeded once for every test of the edge that sends them requests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cqx_bus import KafkaAccess
from tests.edge.world import Service, four_services


@pytest.fixture(scope="package")
async def services(
    database_url: str, kafka_admin: KafkaAccess
) -> AsyncIterator[dict[str, Service]]:
    """The four services, seeded (tests/edge/world.py), by name."""
    async with four_services(database_url, kafka_admin) as running:
        yield {service.spec.name: service for service in running}
