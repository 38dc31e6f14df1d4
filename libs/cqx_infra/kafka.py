"""A single-node Apache Kafka in KRaft mode (broker and controller in one JVM)."""

from __future__ import annotations

import base64
import secrets
import shutil
import signal
import subprocess
from pathlib import Path

from cqx_infra.errors import InfraStartError
from cqx_infra.kafka_jars import KafkaJars
from cqx_infra.layout import RunLayout
from cqx_infra.native import NativeServer
from cqx_infra.ports import LOOPBACK, port_accepts
from cqx_infra.probes import kafka_answers
from cqx_infra.processes import ServerProcess

FORMAT_TIMEOUT_SECONDS = 120
JVM_OPTIONS = ("-Xms256m", "-Xmx1g", "-Djava.awt.headless=true")

LOG4J_TEMPLATE = """\
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File={log_file}
log4j.appender.file.Append=true
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
"""


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding.

    Never one that starts with ``-``: the storage tool would read it as an option.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def server_properties(broker_port: int, controller_port: int, data_dir: Path) -> str:
    """The broker's configuration: one node that is its own controller, on loopback."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{LOOPBACK}:{controller_port}",
        "listeners": f"PLAINTEXT://{LOOPBACK}:{broker_port},CONTROLLER://{LOOPBACK}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{LOOPBACK}:{broker_port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": "1",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "true",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


class NativeKafka(NativeServer):
    """Kafka from the official jars on ``127.0.0.1:<broker_port>``.

    Its data (``<run_dir>/kafka/data``) survives :meth:`stop`; a later start reuses it.
    """

    name = "kafka"
    stop_signal = signal.SIGTERM

    def __init__(
        self,
        layout: RunLayout,
        broker_port: int,
        controller_port: int,
        *,
        jars: KafkaJars | None = None,
        java: str = "java",
        timeout: float = 60.0,
    ) -> None:
        self._layout = layout
        self._broker_port = broker_port
        self._controller_port = controller_port
        self.jars = jars or KafkaJars()
        self._java = java
        super().__init__(timeout)

    @property
    def bootstrap(self) -> str:
        """The bootstrap address of this broker."""
        return f"{LOOPBACK}:{self._broker_port}"

    @property
    def endpoint(self) -> str:
        """The bootstrap address."""
        return self.bootstrap

    def _own_argument(self, process: ServerProcess) -> str:
        # its server.properties appears only in this server's command line
        return process.argv[-1]

    def _answers(self) -> bool:
        # Connecting first keeps aiokafka from logging errors while the JVM boots.
        return port_accepts(LOOPBACK, self._broker_port) and kafka_answers(self.bootstrap)

    def _find_java(self) -> str:
        java = shutil.which(self._java)
        if java is None:
            raise InfraStartError(f"kafka: '{self._java}' not found; install a JRE (17+) or Docker")
        return java

    def _prepare(self) -> ServerProcess:
        """Fetch the jars if needed, write the config, format the storage once."""
        java = self._find_java()
        self.jars.ensure()
        home = self._layout.kafka_home
        data_dir = home / "data"
        home.mkdir(parents=True, exist_ok=True)
        properties = home / "server.properties"
        properties.write_text(server_properties(self._broker_port, self._controller_port, data_dir))
        log4j = home / "log4j.properties"
        log4j.write_text(LOG4J_TEMPLATE.format(log_file=self._layout.logs / "kafka.log"))
        jvm = [
            java,
            *JVM_OPTIONS,
            "-cp",
            self.jars.classpath,
            f"-Dlog4j.configuration=file:{log4j}",
        ]
        if not (data_dir / "meta.properties").exists():
            self._format(jvm, properties)
        return ServerProcess(
            [*jvm, "kafka.Kafka", str(properties)], self._layout.logs / "kafka.log", cwd=home
        )

    def _format(self, jvm: list[str], properties: Path) -> None:
        argv = [*jvm, "kafka.tools.StorageTool", "format", "-t", new_cluster_id()]
        result = subprocess.run(
            [*argv, "-c", str(properties)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=FORMAT_TIMEOUT_SECONDS,
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")
            raise InfraStartError(f"kafka: formatting storage failed:\n{output[-4000:]}")
