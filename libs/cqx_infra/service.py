"""The shape every provided service has, native process or container."""

from __future__ import annotations

import threading
from typing import Protocol

# What `up` records so that a later `down` can stop the service without this process:
# {"kind": "process", "name", "pid", "match", "stop_signal", "grace"} or
# {"kind": "container", "name", "container_id"}.
ServiceRecord = dict[str, str | int]


class Service(Protocol):
    """A piece of infrastructure that can be started, stopped and left running."""

    name: str
    startup_seconds: float

    @property
    def pid(self) -> int | None:
        """The pid of its server process (``None`` for containers and when not running)."""
        ...

    def start(self, abort: threading.Event) -> str:
        """Start, wait until it answers, return its endpoint; give up once ``abort`` is set."""
        ...

    def stop(self) -> None:
        """Stop it (idempotent; also after a failed or partial start)."""
        ...

    def detach(self) -> ServiceRecord:
        """Leave it running past this process; return what ``down`` needs to stop it."""
        ...
