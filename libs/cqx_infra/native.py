"""What the native servers (PostgreSQL, Kafka) share: one server process, started until it
answers, stopped as a group, or detached to outlive this Python process."""

from __future__ import annotations

import signal
import threading
import time
from abc import ABC, abstractmethod

from cqx_infra.errors import InfraAbortedError
from cqx_infra.probes import wait_ready
from cqx_infra.processes import ServerProcess
from cqx_infra.service import ServiceRecord

STOP_GRACE_SECONDS = 30.0


class NativeServer(ABC):
    """A server run from the machine's own binaries. A subclass prepares its process, says
    when it answers, and which part of its command line is its own."""

    name: str
    stop_signal: signal.Signals

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._process: ServerProcess | None = None
        self.startup_seconds = 0.0

    @property
    @abstractmethod
    def endpoint(self) -> str:
        """Where clients reach the server once it runs."""

    @abstractmethod
    def _prepare(self) -> ServerProcess:
        """Everything before the server starts (data dirs, config); its process, not started."""

    @abstractmethod
    def _answers(self) -> bool:
        """Whether the server answers a real request now."""

    @abstractmethod
    def _own_argument(self, process: ServerProcess) -> str:
        """A part of the command line that only this server's process has."""

    def start(self, abort: threading.Event) -> str:
        """Prepare, start, wait until it answers; its endpoint. A failed start stops it."""
        began = time.monotonic()
        try:
            self._process = self._prepare()
            if abort.is_set():  # preparing took a while; a sibling may have failed meanwhile
                raise InfraAbortedError(
                    f"{self.name}: start abandoned because another service failed"
                )
            self._process.spawn()
            wait_ready(
                self.name,
                self._answers,
                timeout=self._timeout,
                process=self._process,
                abort=abort,
            )
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self.endpoint

    def stop(self) -> None:
        """The server's own shutdown signal, SIGKILL after 30 s."""
        if self._process is not None:
            self._process.stop(self.stop_signal, STOP_GRACE_SECONDS)
            self._process = None

    @property
    def pid(self) -> int | None:
        """The server's pid while it runs under this object."""
        return None if self._process is None else self._process.pid

    def detach(self) -> ServiceRecord:
        """Leave the server running; return how to find and stop it later."""
        if self._process is None:
            raise RuntimeError(f"{self.name} was not started")
        match = self._own_argument(self._process)
        return self._process.detach(self.name, match, self.stop_signal, STOP_GRACE_SECONDS)
