"""Where the running PostgreSQL and Kafka answer, and where the project lives."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cqx_bus.access import KafkaAccess, KafkaCredentials


@dataclass(frozen=True)
class Endpoints:
    """The addresses of the infrastructure a CQX process talks to.

    ``database_url`` is a superuser DSN (``postgresql://postgres@127.0.0.1:5432/postgres``),
    ``kafka_bootstrap`` a ``host:port`` list, ``source`` how they were provided: ``env``,
    ``docker`` or ``native``; ``kafka_admin_credentials`` the broker's administrator (a super
    user, for provisioning topics, users and ACLs).
    """

    database_url: str
    kafka_bootstrap: str
    source: str
    kafka_admin_credentials: KafkaCredentials = field(repr=False)

    @property
    def kafka_admin(self) -> KafkaAccess:
        """The broker, reached as its administrator."""
        return KafkaAccess(self.kafka_bootstrap, self.kafka_admin_credentials)


def project_root() -> Path:
    """The folder holding the monorepo's ``pyproject.toml`` (``libs/cqx_infra/..``/..)."""
    return Path(__file__).resolve().parents[2]


def default_run_dir() -> Path:
    """``<project_root>/.run``: the default home of logs, data and the jar cache."""
    return project_root() / ".run"


def cache_dir() -> Path:
    """``<project_root>/.run/cache``: downloads kept across runs (the Kafka jars)."""
    return default_run_dir() / "cache"
