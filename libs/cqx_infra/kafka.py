"""A single-node Apache Kafka in KRaft mode (broker and controller in one JVM), that admits
only authenticated clients and enforces ACLs.

Clients authenticate with SASL/SCRAM-SHA-512 on the client listener; Kafka's own authorizer
(``StandardAuthorizer``) allows what an ACL allows and nothing else. The administrator
(``admin``, a super user) is created when the storage is formatted (``--add-scram``); its
password is made then and kept beside the data (``<run_dir>/kafka/admin.json``, mode 0600),
so a later start finds it. The controller listener, on loopback, takes SASL/PLAIN for the
same administrator only (KRaft cannot use SCRAM there), so no anonymous connection is a
super user.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
from pathlib import Path

from cqx_bus.access import SASL_MECHANISM, KafkaAccess, KafkaCredentials
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


ADMIN_USERNAME = "admin"


def new_admin() -> KafkaCredentials:
    """The administrator with a fresh random password."""
    return KafkaCredentials(ADMIN_USERNAME, secrets.token_urlsafe(24))


def security_properties(
    admin: KafkaCredentials, scram_listeners: tuple[str, ...] = ("SASL_PLAINTEXT",)
) -> dict[str, str]:
    """Authentication and authorisation, for the native broker and the container alike:
    SCRAM-SHA-512 on the ``scram_listeners`` (clients, and broker to broker as the
    administrator), PLAIN for the administrator alone on ``CONTROLLER``, the standard
    authorizer, and no access without an ACL."""
    name, password = admin.username, admin.password
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
    plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
    logins = {
        f"listener.name.{listener.lower()}.scram-sha-512.sasl.jaas.config": (
            f'{scram} required username="{name}" password="{password}";'
        )
        for listener in scram_listeners
    }
    return {
        "sasl.enabled.mechanisms": SASL_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": SASL_MECHANISM,
        **logins,
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": (
            f'{plain} required username="{name}" password="{password}" user_{name}="{password}";'
        ),
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": admin.principal,
        "allow.everyone.if.no.acl.found": "false",
    }


def server_properties(
    broker_port: int, controller_port: int, data_dir: Path, admin: KafkaCredentials
) -> str:
    """The broker's configuration: one node that is its own controller, on loopback."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{LOOPBACK}:{controller_port}",
        "listeners": (
            f"SASL_PLAINTEXT://{LOOPBACK}:{broker_port},CONTROLLER://{LOOPBACK}:{controller_port}"
        ),
        "advertised.listeners": f"SASL_PLAINTEXT://{LOOPBACK}:{broker_port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "SASL_PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
        **security_properties(admin),
        "log.dirs": str(data_dir),
        "num.partitions": "1",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "false",  # topics are provisioned, never made by a typo
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
        self.admin: KafkaCredentials | None = None  # known once prepared
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

    @property
    def admin_access(self) -> KafkaAccess:
        """The broker, reached as its administrator."""
        if self.admin is None:
            raise InfraStartError("kafka: not started, so no administrator yet")
        return KafkaAccess(self.bootstrap, self.admin)

    def _answers(self) -> bool:
        # Connecting first keeps aiokafka from logging errors while the JVM boots.
        return port_accepts(LOOPBACK, self._broker_port) and kafka_answers(self.admin_access)

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
        formatted = (data_dir / "meta.properties").exists()
        self.admin = _read_admin(home) if formatted else new_admin()
        properties = home / "server.properties"
        _write_private(
            properties,
            server_properties(self._broker_port, self._controller_port, data_dir, self.admin),
        )
        log4j = home / "log4j.properties"
        log4j.write_text(LOG4J_TEMPLATE.format(log_file=self._layout.logs / "kafka.log"))
        jvm = [
            java,
            *JVM_OPTIONS,
            "-cp",
            self.jars.classpath,
            f"-Dlog4j.configuration=file:{log4j}",
        ]
        if not formatted:
            self._format(jvm, properties, self.admin)
            _write_private(home / ADMIN_FILE, json.dumps(vars(self.admin)) + "\n")
        return ServerProcess(
            [*jvm, "kafka.Kafka", str(properties)], self._layout.logs / "kafka.log", cwd=home
        )

    def _format(self, jvm: list[str], properties: Path, admin: KafkaCredentials) -> None:
        argv = [*jvm, "kafka.tools.StorageTool", "format", "-t", new_cluster_id()]
        scram = f"{SASL_MECHANISM}=[name={admin.username},password={admin.password}]"
        result = subprocess.run(
            [*argv, "-c", str(properties), "--add-scram", scram],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=FORMAT_TIMEOUT_SECONDS,
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")
            raise InfraStartError(f"kafka: formatting storage failed:\n{output[-4000:]}")


ADMIN_FILE = "admin.json"


def _read_admin(home: Path) -> KafkaCredentials:
    """The administrator recorded when the storage was formatted."""
    try:
        recorded = json.loads((home / ADMIN_FILE).read_text())
        return KafkaCredentials(str(recorded["username"]), str(recorded["password"]))
    except (OSError, ValueError, KeyError) as error:
        raise InfraStartError(
            f"kafka: {home / 'data'} was formatted without an administrator's credentials "
            f"({home / ADMIN_FILE}: {error}); it predates authentication on the bus. Delete "
            "the local data (`python -m cqx_infra down --purge`) and start again."
        ) from error


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by this user only (it holds the administrator's password)."""
    path.touch(mode=0o600, exist_ok=True)
    os.chmod(path, 0o600)
    path.write_text(text)
