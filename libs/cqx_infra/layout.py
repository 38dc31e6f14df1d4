"""What goes where in a run dir, and how to wipe the services' data from it.

::

    <run_dir>/infra.json     endpoints and pids written by ``python -m cqx_infra up``
    <run_dir>/logs/          postgres.log, kafka.log
    <run_dir>/pg             PostgreSQL's home (as root: a link to /var/tmp/cqx-pg-<hash>)
    <run_dir>/kafka/         server.properties, log4j.properties, data/, admin.json (0600)
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

# PostgreSQL refuses to run as root and needs to reach its data dir as the `postgres` user;
# the project may sit below a 0700 root-owned folder, so as root the data lives here instead.
ROOT_POSTGRES_PARENT = Path("/var/tmp")


def running_as_root() -> bool:
    """Whether this process has euid 0 (then PostgreSQL runs as the ``postgres`` user)."""
    return os.geteuid() == 0


@dataclass(frozen=True)
class RunLayout:
    """The paths inside one run dir (``run_dir`` must be absolute)."""

    run_dir: Path

    @property
    def logs(self) -> Path:
        """Folder of the services' logs."""
        return self.run_dir / "logs"

    @property
    def postgres_link(self) -> Path:
        """``<run_dir>/pg``: PostgreSQL's home, or as root a symlink to it."""
        return self.run_dir / "pg"

    @property
    def kafka_home(self) -> Path:
        """``<run_dir>/kafka``: the broker's configuration and data."""
        return self.run_dir / "kafka"

    @property
    def state_file(self) -> Path:
        """``<run_dir>/infra.json``, written by the CLI's ``up``."""
        return self.run_dir / "infra.json"

    def postgres_home(self) -> Path:
        """Where PostgreSQL's data dir is created: ``<run_dir>/pg``, or as root a folder
        in /var/tmp named by a hash of the run dir (one per run dir, found again later)."""
        if not running_as_root():
            return self.postgres_link
        digest = hashlib.sha256(str(self.run_dir).encode()).hexdigest()[:8]
        return ROOT_POSTGRES_PARENT / f"cqx-pg-{digest}"

    def purge(self) -> None:
        """Delete the services' data (PostgreSQL's, wherever it lives, and Kafka's) and logs."""
        remove_tree(self.postgres_home())
        remove_tree(self.postgres_link)
        remove_tree(self.kafka_home)
        remove_tree(self.logs)


def remove_tree(path: Path) -> None:
    """Remove ``path``: a symlink is unlinked (not followed), a folder deleted recursively."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
