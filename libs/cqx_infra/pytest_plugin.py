"""Session fixtures giving tests a real PostgreSQL and Kafka (``-p cqx_infra.pytest_plugin``).

The services run in ``<project_root>/.run/pytest-<pid>/``, which is deleted at the end of
the session; the Kafka jars stay cached in ``.run/cache``. With ``CQX_DATABASE_URL`` and
``CQX_KAFKA_BOOTSTRAP`` set (and the broker's administrator in ``CQX_KAFKA_ADMIN_USERNAME``
and ``CQX_KAFKA_ADMIN_PASSWORD``), the given services are used instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

from cqx_bus.access import KafkaAccess
from cqx_infra.endpoints import Endpoints, default_run_dir
from cqx_infra.launcher import Infrastructure
from cqx_infra.layout import remove_tree


@pytest.fixture(scope="session")
def infra_endpoints() -> Iterator[Endpoints]:
    """PostgreSQL and Kafka for the whole session, stopped and wiped at its end."""
    run_dir = default_run_dir() / f"pytest-{os.getpid()}"
    infrastructure = Infrastructure(run_dir, ephemeral=True)
    try:
        yield infrastructure.start()
    finally:
        infrastructure.stop()
        remove_tree(run_dir)


@pytest.fixture(scope="session")
def database_url(infra_endpoints: Endpoints) -> str:
    """The superuser DSN of the session's PostgreSQL."""
    return infra_endpoints.database_url


@pytest.fixture(scope="session")
def kafka_bootstrap(infra_endpoints: Endpoints) -> str:
    """The bootstrap address of the session's Kafka."""
    return infra_endpoints.kafka_bootstrap


@pytest.fixture(scope="session")
def kafka_admin(infra_endpoints: Endpoints) -> KafkaAccess:
    """The session's Kafka, reached as its administrator (a super user: it provisions topics,
    users and ACLs, and may read and write every topic)."""
    return infra_endpoints.kafka_admin


@pytest.fixture
def unique_name() -> str:
    """A fresh lowercase identifier (``t_3fa9c1d2``), valid as a schema or topic name part."""
    return f"t_{secrets.token_hex(4)}"
