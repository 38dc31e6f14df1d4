"""The four services as real processes on loopback: start, wait until serving, kill, restart.

Used by ``make run`` and by the end-to-end tests. Each service runs as
``python -m cqx_<name>`` in its own session, logging to ``<run_dir>/logs/<name>.log``, with
its credential from the authority in ``pki_dir`` (made there, with the local operators' and
auditor's, if missing: :func:`cqx_identity.provision_local`); it is ready when its gRPC
health check, asked with its own credential, answers SERVING.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import grpc

from cqx_grpc.probe import check_health
from cqx_identity import TlsFiles, provision_local
from cqx_infra import Endpoints, InfraStartError
from cqx_infra.ports import free_ports
from cqx_infra.processes import ServerProcess, log_tail

# The services in start order, with their default ports (issue 3).
SERVICES: Mapping[str, int] = {
    "registry": 50051,
    "allocation": 50052,
    "matching": 50053,
    "settlement": 50054,
}
READY_TIMEOUT_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0


class LocalSystem:
    """The services of CQX as child processes (see the module docstring).

    ``ports`` fixes each service's port; ``None`` picks free ones (tests), and
    :attr:`ports` tells where each listens once started. Each service's ``/metrics`` is on
    :attr:`metrics_ports` (its port plus 1000 when ports are fixed; free ones otherwise).
    """

    def __init__(
        self,
        endpoints: Endpoints,
        run_dir: Path,
        *,
        namespace: str = "",
        ports: Mapping[str, int] | None = None,
        services: Sequence[str] = tuple(SERVICES),
        extra_env: Mapping[str, str] | None = None,
        pki_dir: Path | None = None,
    ) -> None:
        self._endpoints = endpoints
        self._run_dir = run_dir
        self.pki_dir = pki_dir if pki_dir is not None else run_dir / "pki"
        provision_local(self.pki_dir)
        self._namespace = namespace
        if ports is not None:
            self.ports = dict(ports)
            self.metrics_ports = {service: port + 1000 for service, port in self.ports.items()}
        else:  # one draw, so that no two of the ports are the same
            chosen = free_ports(2 * len(services))
            self.ports = dict(zip(services, chosen[: len(services)], strict=True))
            self.metrics_ports = dict(zip(services, chosen[len(services) :], strict=True))
        self._services = list(services)
        self._extra_env = dict(extra_env or {})
        self._processes: dict[str, ServerProcess] = {}

    def address(self, service: str) -> str:
        """``127.0.0.1:<port>`` of a service."""
        return f"127.0.0.1:{self.ports[service]}"

    def metrics_url(self, service: str) -> str:
        """Where a service's Prometheus metrics are served."""
        return f"http://127.0.0.1:{self.metrics_ports[service]}/metrics"

    def start(self) -> None:
        """Start every service, then wait until all are serving; stop all if one fails."""
        try:
            for service in self._services:
                self._spawn(service)
            for service in self._services:
                self.wait_serving(service)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """SIGTERM every service (graceful: finish calls in progress), SIGKILL stragglers."""
        for service in reversed(list(self._processes)):
            self._processes.pop(service).stop(signal.SIGTERM, STOP_GRACE_SECONDS)

    def kill(self, service: str) -> None:
        """SIGKILL one service, as a crash would."""
        self._processes.pop(service).stop(signal.SIGKILL, STOP_GRACE_SECONDS)

    def restart(self, service: str, module: str | None = None) -> None:
        """Start a stopped or killed service again on the same port (as ``python -m
        module``, default ``cqx_<service>``); wait until serving."""
        if service in self._processes:
            self._processes.pop(service).stop(signal.SIGTERM, STOP_GRACE_SECONDS)
        self._spawn(service, module)
        self.wait_serving(service, plaintext=module is not None and "plaintext" in module)

    def pids(self) -> dict[str, int]:
        """The pid of each running service."""
        return {s: p.pid for s, p in self._processes.items() if p.pid is not None}

    def log_path(self, service: str) -> Path:
        """Where a service's log goes."""
        return self._run_dir / "logs" / f"{service}.log"

    def wait_serving(self, service: str, *, plaintext: bool = False) -> None:
        """Wait until ``service`` reports SERVING; raise with its log if it exits or stalls
        (``plaintext``: a benchmark's comparison server, asked without TLS)."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        process = self._processes[service]
        while time.monotonic() < deadline:
            code = process.exit_code()
            if code is not None:
                raise InfraStartError(self._failure(service, f"exited with code {code}"))
            try:
                own = None if plaintext else TlsFiles.in_directory(self.pki_dir, service)
                if check_health(self.address(service), own, timeout=1.0) == "SERVING":
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)
        raise InfraStartError(self._failure(service, "did not report SERVING within 60 s"))

    def _spawn(self, service: str, module: str | None = None) -> None:
        environment = {
            "CQX_FOUR_EYES": "off",  # the local demo, unless the caller's environment says
            **_inherited_environment(),
            **self._extra_env,
            "CQX_DATABASE_URL": self._endpoints.database_url,
            "CQX_KAFKA_BOOTSTRAP": self._endpoints.kafka_bootstrap,
            # The administrator: each service provisions its own Kafka user and ACLs with it,
            # as it migrates its schema with the superuser's DSN.
            "CQX_KAFKA_ADMIN_USERNAME": self._endpoints.kafka_admin_credentials.username,
            "CQX_KAFKA_ADMIN_PASSWORD": self._endpoints.kafka_admin_credentials.password,
            "CQX_NAMESPACE": self._namespace,
            "CQX_PKI_DIR": str(self.pki_dir.resolve()),
            f"CQX_{service.upper()}_PORT": str(self.ports[service]),
            f"CQX_{service.upper()}_METRICS_PORT": str(self.metrics_ports[service]),
        }
        process = ServerProcess(
            [sys.executable, "-m", module or f"cqx_{service}"],
            self.log_path(service),
            cwd=self._run_dir,
            env=environment,
        )
        self._run_dir.mkdir(parents=True, exist_ok=True)
        process.spawn()
        self._processes[service] = process

    def _failure(self, service: str, what: str) -> str:
        return f"{service} {what}; its log ends:\n{log_tail(self.log_path(service))}"


def _inherited_environment() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "PYTHONPATH", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if k in keep or k.startswith("CQX_")}
