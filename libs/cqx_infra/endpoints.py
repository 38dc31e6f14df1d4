"""Where the running PostgreSQL and Kafka answer, and where the project lives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Endpoints:
    """The addresses of the infrastructure a CQX process talks to.

    ``database_url`` is a superuser DSN (``postgresql://postgres@127.0.0.1:5432/postgres``),
    ``kafka_bootstrap`` a ``host:port`` list, ``source`` how they were provided: ``env``,
    ``docker`` or ``native``.
    """

    database_url: str
    kafka_bootstrap: str
    source: str


def project_root() -> Path:
    """The folder holding the monorepo's ``pyproject.toml`` (``libs/cqx_infra/..``/..)."""
    return Path(__file__).resolve().parents[2]


def default_run_dir() -> Path:
    """``<project_root>/.run``: the default home of logs, data and the jar cache."""
    return project_root() / ".run"


def cache_dir() -> Path:
    """``<project_root>/.run/cache``: downloads kept across runs (the Kafka jars)."""
    return default_run_dir() / "cache"
