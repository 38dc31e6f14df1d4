"""What every matching component test module shares."""

from __future__ import annotations

import secrets

import pytest

from cqx_bus import KafkaAccess
from cqx_service import RuntimeSettings
from tests.support.service_harness import settings_for


@pytest.fixture(scope="module")
def settings(database_url: str, kafka_admin: KafkaAccess) -> RuntimeSettings:
    """One namespace (schema and topics) per test module."""
    return settings_for("matching", database_url, kafka_admin, f"t_{secrets.token_hex(4)}")
