"""The official Apache Kafka jars, fetched once from Maven Central into the project's cache.

``deploy/local/kafka/pom.xml`` names the broker artifacts; Maven copies them and their
runtime dependencies into ``<project_root>/.run/cache/kafka-<version>/lib``. A marker file
written after a successful copy makes every later start skip Maven entirely.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from cqx_infra.endpoints import cache_dir, project_root
from cqx_infra.errors import InfraStartError

MARKER = "fetched.ok"
MAVEN_TIMEOUT_SECONDS = 600


def default_pom() -> Path:
    """``<project_root>/deploy/local/kafka/pom.xml``."""
    return project_root() / "deploy" / "local" / "kafka" / "pom.xml"


def kafka_version(pom: Path) -> str:
    """The ``kafka.version`` property of ``pom``."""
    tree = ElementTree.parse(pom)
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = tree.findtext("m:properties/m:kafka.version", namespaces=namespace)
    if not version:
        raise InfraStartError(f"kafka: no <kafka.version> property in {pom}")
    return version.strip()


class KafkaJars:
    """The jar folder of one Kafka version, filled on first use.

    ``mvn`` is the Maven command; ``maven_runs`` counts how often this object invoked it.
    """

    def __init__(
        self, *, pom: Path | None = None, cache: Path | None = None, mvn: str = "mvn"
    ) -> None:
        self.pom = pom or default_pom()
        self.version = kafka_version(self.pom)
        self.home = (cache or cache_dir()) / f"kafka-{self.version}"
        self._mvn = mvn
        self.maven_runs = 0

    @property
    def lib(self) -> Path:
        """The folder holding the jars (a ``<lib>/*`` class path)."""
        return self.home / "lib"

    @property
    def classpath(self) -> str:
        """The Java class path naming every jar in :attr:`lib`."""
        return f"{self.lib}/*"

    def is_fetched(self) -> bool:
        """Whether a complete copy is cached (its marker exists)."""
        return (self.home / MARKER).exists()

    def ensure(self) -> Path:
        """Fetch the jars unless cached; return :attr:`lib`. Safe against parallel callers."""
        if self.is_fetched():
            return self.lib
        self.home.mkdir(parents=True, exist_ok=True)
        with (self.home / ".fetch.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another start may be fetching the same jars
            if not self.is_fetched():
                self._fetch()
        return self.lib

    def _fetch(self) -> None:
        mvn = shutil.which(self._mvn)
        if mvn is None:
            raise InfraStartError(
                f"kafka: the jars of Kafka {self.version} are not cached in {self.home} and "
                f"Maven ('{self._mvn}') is not on PATH to fetch them; install maven or Docker"
            )
        argv = [
            *(mvn, "-q", "-B", "-f", str(self.pom), "dependency:copy-dependencies"),
            *("-DincludeScope=runtime", f"-DoutputDirectory={self.lib}"),
        ]
        self.maven_runs += 1
        result = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=MAVEN_TIMEOUT_SECONDS
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")
            tail = "\n".join(output.splitlines()[-30:])
            raise InfraStartError(f"kafka: fetching the jars with Maven failed:\n{tail}")
        (self.home / MARKER).write_text(f"{self.version}\n")
