"""Provide PostgreSQL and Kafka: given endpoints, else Docker containers, else native processes.

The source is chosen once per :meth:`Infrastructure.start`:

1. ``CQX_DATABASE_URL`` and ``CQX_KAFKA_BOOTSTRAP`` both set: use them, start nothing (the
   broker's administrator then comes from ``CQX_KAFKA_ADMIN_USERNAME`` and
   ``CQX_KAFKA_ADMIN_PASSWORD`` or ``…_FILE``);
2. a Docker engine answers: ``postgres:16`` and ``apache/kafka:3.9.1`` via testcontainers;
3. otherwise the machine's PostgreSQL binaries and the official Kafka jars, as processes.

``CQX_INFRA_MODE`` (``auto``, ``env``, ``docker``, ``native``) or ``mode=`` forces a source.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from cqx_bus.access import ADMIN_PREFIX, KafkaAccess, KafkaCredentials, credentials_from_env
from cqx_infra.containers import DockerKafka, DockerPostgres, docker_reachable
from cqx_infra.endpoints import Endpoints, default_run_dir
from cqx_infra.errors import InfraAbortedError, InfraError
from cqx_infra.kafka import NativeKafka
from cqx_infra.kafka_jars import KafkaJars
from cqx_infra.layout import RunLayout
from cqx_infra.ports import free_ports
from cqx_infra.postgres import NativePostgres
from cqx_infra.probes import kafka_answers, postgres_answers, wait_ready
from cqx_infra.service import Service, ServiceRecord

ENV_DATABASE_URL = "CQX_DATABASE_URL"
ENV_KAFKA_BOOTSTRAP = "CQX_KAFKA_BOOTSTRAP"
ENV_MODE = "CQX_INFRA_MODE"
MODES = ("auto", "env", "docker", "native")


class Infrastructure:
    """A PostgreSQL and a Kafka for one run, as a context manager yielding :class:`Endpoints`.

    ``run_dir`` holds logs and data (default ``<project_root>/.run``). Data survives
    :meth:`stop` unless ``ephemeral``. ``detached`` is for starters that leave the services
    running (the CLI's ``up``): no exit hook, no container reaper; see :meth:`detach`.
    ``environ`` replaces ``os.environ`` as the source of the ``CQX_*`` variables.
    """

    def __init__(
        self,
        run_dir: Path | None = None,
        *,
        mode: str | None = None,
        environ: Mapping[str, str] | None = None,
        ephemeral: bool = False,
        detached: bool = False,
        postgres_bin_dir: Path | None = None,
        kafka_jars: KafkaJars | None = None,
        timeout: float = 60.0,
    ) -> None:
        env = os.environ if environ is None else environ
        self.layout = RunLayout((run_dir or default_run_dir()).resolve())
        self.mode = mode or env.get(ENV_MODE) or "auto"
        self._given = (env.get(ENV_DATABASE_URL, ""), env.get(ENV_KAFKA_BOOTSTRAP, ""))
        self._env = env
        self._ephemeral = ephemeral
        self._detached = detached
        self._postgres_bin_dir = postgres_bin_dir
        self._kafka_jars = kafka_jars
        self._timeout = timeout
        self._services: list[Service] = []
        self._kafka: NativeKafka | DockerKafka | None = None
        self.endpoints: Endpoints | None = None
        self.timings: dict[str, float] = {}

    def __enter__(self) -> Endpoints:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> Endpoints:
        """Provide both services and wait until each answers a real request.

        Raises :class:`~cqx_infra.errors.InfraError` (after stopping whatever did start).
        """
        if self.endpoints is not None:
            return self.endpoints
        began = time.monotonic()
        source = self.choose_source()
        if source == "env":
            urls, admin = self._check_given()
        else:
            self._services = self._services_for(source)
            if not self._detached:
                atexit.register(self.stop)
            urls = self._start_all()
            admin = self._kafka_admin()
        self.timings = {service.name: service.startup_seconds for service in self._services}
        self.timings["total"] = time.monotonic() - began
        self.endpoints = Endpoints(urls["postgres"], urls["kafka"], source, admin)
        return self.endpoints

    def stop(self) -> None:
        """Stop what :meth:`start` started (idempotent); with ``ephemeral``, delete the data."""
        atexit.unregister(self.stop)
        services, self._services = self._services, []
        self.endpoints = None
        errors: list[Exception] = []
        for service in reversed(services):
            try:
                service.stop()
            except Exception as error:  # stop the others anyway, report the first failure
                errors.append(error)
        if self._ephemeral:
            self.layout.purge()
        if errors:
            raise errors[0]

    def pids(self) -> dict[str, int]:
        """The pids of the running server processes by service name (none for containers)."""
        return {s.name: pid for s in self._services if (pid := s.pid) is not None}

    def detach(self) -> list[ServiceRecord]:
        """Leave the services running past this process; return what ``down`` needs."""
        atexit.unregister(self.stop)
        records = [service.detach() for service in self._services]
        self._services = []
        return records

    def choose_source(self) -> str:
        """``env``, ``docker`` or ``native``, following the mode and the environment."""
        if self.mode not in MODES:
            raise InfraError(f"{ENV_MODE}={self.mode!r}: expected one of {', '.join(MODES)}")
        given = [bool(value) for value in self._given]
        if self.mode in ("auto", "env") and any(given) and not all(given):
            raise InfraError(
                f"set both {ENV_DATABASE_URL} and {ENV_KAFKA_BOOTSTRAP}, or neither "
                "(then the launcher provides both)"
            )
        if self.mode == "env" and not all(given):
            raise InfraError(f"mode 'env' needs {ENV_DATABASE_URL} and {ENV_KAFKA_BOOTSTRAP}")
        if self.mode == "auto":
            if all(given):
                return "env"
            return "docker" if docker_reachable() else "native"
        if self.mode == "docker" and not docker_reachable():
            raise InfraError("mode 'docker' but no Docker engine answers ('docker info')")
        return self.mode

    def _kafka_admin(self) -> KafkaCredentials:
        if self._kafka is None or self._kafka.admin is None:
            raise InfraError("kafka started without an administrator's credentials")
        return self._kafka.admin

    def _check_given(self) -> tuple[dict[str, str], KafkaCredentials]:
        database_url, bootstrap = self._given
        admin = credentials_from_env(self._env, ADMIN_PREFIX)
        if admin is None:
            raise InfraError(
                f"with {ENV_KAFKA_BOOTSTRAP} given, set {ADMIN_PREFIX}_USERNAME and "
                f"{ADMIN_PREFIX}_PASSWORD (or {ADMIN_PREFIX}_PASSWORD_FILE): the broker's "
                "administrator, who provisions topics, users and ACLs"
            )
        wait_ready(
            f"postgres at {ENV_DATABASE_URL}={database_url}",
            lambda: postgres_answers(database_url),
            timeout=self._timeout,
        )
        wait_ready(
            f"kafka at {ENV_KAFKA_BOOTSTRAP}={bootstrap}",
            lambda: kafka_answers(KafkaAccess(bootstrap, admin)),
            timeout=self._timeout,
        )
        return {"postgres": database_url, "kafka": bootstrap}, admin

    def _services_for(self, source: str) -> list[Service]:
        if source == "docker":
            reaped = not self._detached
            self._kafka = DockerKafka(reaped=reaped)
            return [DockerPostgres(reaped=reaped), self._kafka]
        postgres_port, broker_port, controller_port = free_ports(3)
        self._kafka = NativeKafka(
            self.layout, broker_port, controller_port, jars=self._kafka_jars, timeout=self._timeout
        )
        return [
            NativePostgres(
                self.layout, postgres_port, bin_dir=self._postgres_bin_dir, timeout=self._timeout
            ),
            self._kafka,
        ]

    def _start_all(self) -> dict[str, str]:
        """Start every service in its own thread; on any failure stop all and raise it."""
        abort = threading.Event()
        pool = ThreadPoolExecutor(len(self._services), thread_name_prefix="cqx-infra")
        futures: dict[str, Future[str]] = {}
        try:
            for service in self._services:
                futures[service.name] = pool.submit(_start_one, service, abort)
            pool.shutdown(wait=True)
        except BaseException:  # Ctrl-C while waiting: let the threads give up, then clean up
            abort.set()
            pool.shutdown(wait=True)
            self.stop()
            raise
        failure = _first_failure(list(futures.values()))
        if failure is not None:
            self.stop()
            raise failure
        return {name: future.result() for name, future in futures.items()}


def _start_one(service: Service, abort: threading.Event) -> str:
    try:
        return service.start(abort)
    except BaseException:
        abort.set()  # siblings stop waiting for readiness
        raise


def _first_failure(futures: list[Future[str]]) -> BaseException | None:
    """The error to report: the first real one, the others attached as notes."""
    errors = [error for future in futures if (error := future.exception()) is not None]
    real = [error for error in errors if not isinstance(error, InfraAbortedError)]
    if not real:
        return errors[0] if errors else None
    for other in real[1:]:
        real[0].add_note(f"also: {other}")
    return real[0]
