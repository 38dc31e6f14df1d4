"""``<run_dir>/infra.json``: what ``up`` left running, so ``down`` and ``status`` find it.

It holds the broker administrator's password, so it is readable by its owner only.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

from cqx_bus.access import KafkaCredentials
from cqx_infra.containers import remove_container
from cqx_infra.endpoints import Endpoints
from cqx_infra.processes import command_line, stop_group
from cqx_infra.service import ServiceRecord


def write_state(
    path: Path, endpoints: Endpoints, records: list[ServiceRecord], timings: dict[str, float]
) -> None:
    """Record the endpoints, how to stop each service, and how long each took to start."""
    state = {
        "database_url": endpoints.database_url,
        "kafka_bootstrap": endpoints.kafka_bootstrap,
        "kafka_admin_username": endpoints.kafka_admin_credentials.username,
        "kafka_admin_password": endpoints.kafka_admin_credentials.password,
        "source": endpoints.source,
        "services": records,
        "startup_seconds": {name: round(seconds, 2) for name, seconds in timings.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.touch(mode=0o600, exist_ok=True)
    os.chmod(temporary, 0o600)
    temporary.write_text(json.dumps(state, indent=2) + "\n")
    temporary.replace(path)


def read_state(path: Path) -> dict[str, Any] | None:
    """The recorded state, or ``None`` if there is none (or it is unreadable)."""
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def endpoints_of(state: dict[str, Any]) -> Endpoints:
    """The endpoints a state records (a ``KeyError`` if it predates the broker's
    administrator: then ``up`` replaces what it names)."""
    admin = KafkaCredentials(str(state["kafka_admin_username"]), str(state["kafka_admin_password"]))
    return Endpoints(
        str(state["database_url"]), str(state["kafka_bootstrap"]), str(state["source"]), admin
    )


def stop_recorded(state: dict[str, Any]) -> None:
    """Stop every service the state names, Kafka first (it holds no database connections)."""
    for record in reversed(state.get("services", [])):
        if record.get("kind") == "container":
            remove_container(str(record["container_id"]))
            continue
        pid = int(record["pid"])
        # A pid may have been reused since `up`: only signal the process we started.
        if str(record["match"]) in command_line(pid):
            first_signal = signal.Signals[str(record["stop_signal"])]
            stop_group(pid, first_signal, float(record["grace"]))
