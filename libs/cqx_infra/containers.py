"""PostgreSQL and Kafka as Docker containers, through testcontainers (a dev dependency).

Used when a Docker engine answers. testcontainers is imported only here and only when
needed, so the rest of the launcher works without it. ``reaped=False`` turns off
testcontainers' reaper (Ryuk) so the containers outlive this process (``cqx_infra up``).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from cqx_bus.access import SASL_MECHANISM, KafkaAccess, KafkaCredentials
from cqx_infra.errors import InfraStartError
from cqx_infra.kafka import new_admin, new_cluster_id, security_properties
from cqx_infra.ports import free_ports
from cqx_infra.probes import kafka_answers, postgres_answers, wait_ready
from cqx_infra.service import ServiceRecord

if TYPE_CHECKING:
    from testcontainers.core.container import DockerContainer

POSTGRES_IMAGE = "postgres:16"
KAFKA_IMAGE = "apache/kafka:3.9.1"
POSTGRES_COMMAND = (
    "postgres -c max_connections=200 -c shared_buffers=256MB -c fsync=on -c synchronous_commit=on"
)


def docker_reachable(timeout: float = 3.0) -> bool:
    """Whether a Docker engine answers within ``timeout`` s (``docker info``, else a ping)."""
    cli = shutil.which("docker")
    if cli is not None:
        try:
            result = subprocess.run(
                [cli, "info", "--format", "{{.ServerVersion}}"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return False
        return result.returncode == 0
    try:
        from testcontainers.core.docker_client import DockerClient

        return bool(DockerClient(timeout=int(timeout)).client.ping())
    except Exception:  # no client library, no socket, no engine: all mean "no Docker"
        return False


def remove_container(container_id: str) -> None:
    """Remove the container ``container_id`` and its volumes, if it still exists."""
    from testcontainers.core.docker_client import DockerClient

    client = DockerClient().client
    for container in client.containers.list(all=True, filters={"id": container_id}):
        container.remove(force=True, v=True)


class _ContainerService:
    """What both containers share: start with a readiness probe, stop, detach."""

    name = "container"

    def __init__(self, *, reaped: bool, timeout: float) -> None:
        self._reaped = reaped
        self._timeout = timeout
        self._container: DockerContainer | None = None
        self.startup_seconds = 0.0

    def _run(
        self,
        container: DockerContainer,
        endpoint: Callable[[], str],
        probe: Callable[[str], bool],
        abort: threading.Event,
    ) -> str:
        from testcontainers.core.config import testcontainers_config

        if not self._reaped:
            testcontainers_config.ryuk_disabled = True
        began = time.monotonic()
        self._container = container
        container.start()
        address = endpoint()
        try:
            wait_ready(self.name, lambda: probe(address), timeout=self._timeout, abort=abort)
        except InfraStartError as error:
            logs = b"".join(container.get_logs()).decode(errors="replace")
            tail = "\n".join(logs.splitlines()[-30:])
            raise InfraStartError(f"{error.message}; container log:\n{tail}") from error
        self.startup_seconds = time.monotonic() - began
        return address

    @property
    def pid(self) -> int | None:
        """Containers have no pid of ours."""
        return None

    def stop(self) -> None:
        """Remove the container (idempotent)."""
        if self._container is not None:
            self._container.stop()
            self._container = None

    def detach(self) -> ServiceRecord:
        """Leave the container running; return its id for ``down``."""
        if self._container is None:
            raise RuntimeError(f"{self.name} was not started")
        record: ServiceRecord = {
            "kind": "container",
            "name": self.name,
            "container_id": self._container.get_container_id(),
        }
        self._container = None
        return record


class DockerPostgres(_ContainerService):
    """PostgreSQL 16 from the official image; superuser ``postgres``/``postgres``."""

    name = "postgres"

    def __init__(self, *, reaped: bool = True, timeout: float = 120.0) -> None:
        super().__init__(reaped=reaped, timeout=timeout)

    def start(self, abort: threading.Event) -> str:
        """Pull if needed, run, wait for ``SELECT 1``; return the superuser DSN."""
        from testcontainers.community.postgres import PostgresContainer

        container = PostgresContainer(
            POSTGRES_IMAGE,
            username="postgres",
            password="postgres",
            dbname="postgres",
            driver=None,
            shm_size="256m",
        ).with_command(POSTGRES_COMMAND)
        return self._run(container, container.get_connection_url, postgres_answers, abort)


class DockerKafka(_ContainerService):
    """Apache Kafka from the official image, single node in KRaft mode, with the same
    authentication and ACLs as the native broker (:func:`~cqx_infra.kafka.security_properties`).

    The host port is chosen before the start (the broker must advertise it), and bound
    1:1; clients reach it on the Docker host's address. The container formats its storage
    with the administrator's SCRAM credential, then starts the broker, from a properties file
    it writes itself (the image's own start script formats without credentials).
    """

    name = "kafka"

    def __init__(self, *, reaped: bool = True, timeout: float = 120.0) -> None:
        super().__init__(reaped=reaped, timeout=timeout)
        self.admin: KafkaCredentials | None = None

    def start(self, abort: threading.Event) -> str:
        """Pull if needed, run, wait for a metadata answer; return the bootstrap address."""
        from testcontainers.core.container import DockerContainer

        (port,) = free_ports(1)
        admin = self.admin = new_admin()
        container = DockerContainer(KAFKA_IMAGE).with_bind_ports(9092, port)
        host = container.get_docker_client().host()
        container.with_kwargs(entrypoint=["bash", "-c"])
        container.with_command([container_script(host, port, admin)])
        address = f"{host}:{port}"
        return self._run(
            container, lambda: address, lambda a: kafka_answers(KafkaAccess(a, admin)), abort
        )


def container_properties(host: str, port: int, admin: KafkaCredentials) -> dict[str, str]:
    """The broker's settings in the container: clients on 9092 (advertised as ``host:port``),
    broker-to-broker on 9093, the controller on 9094."""
    return {
        "node.id": "1",
        "process.roles": "broker,controller",
        "listeners": "CLIENT://:9092,BROKER://:9093,CONTROLLER://:9094",
        "advertised.listeners": f"CLIENT://{host}:{port},BROKER://localhost:9093",
        "inter.broker.listener.name": "BROKER",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": (
            "CLIENT:SASL_PLAINTEXT,BROKER:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT"
        ),
        "controller.quorum.voters": "1@localhost:9094",
        **security_properties(admin, ("CLIENT", "BROKER")),
        "log.dirs": "/tmp/kraft-logs",
        "num.partitions": "1",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "false",
    }


def container_script(host: str, port: int, admin: KafkaCredentials) -> str:
    """The container's command: write the properties, format with the administrator, start."""
    properties = "".join(f"{k}={v}\n" for k, v in container_properties(host, port, admin).items())
    scram = f"{SASL_MECHANISM}=[name={admin.username},password={admin.password}]"
    return (
        f"printf %s {shlex.quote(properties)} > /tmp/server.properties && "
        f"/opt/kafka/bin/kafka-storage.sh format -t {new_cluster_id()} "
        f"-c /tmp/server.properties --add-scram {shlex.quote(scram)} && "
        "exec /opt/kafka/bin/kafka-server-start.sh /tmp/server.properties"
    )
