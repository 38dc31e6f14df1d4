"""A PostgreSQL server from the machine's own binaries, in a data dir of the run dir."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from cqx_infra.errors import InfraStartError
from cqx_infra.layout import RunLayout, running_as_root
from cqx_infra.native import NativeServer
from cqx_infra.ports import LOOPBACK
from cqx_infra.probes import postgres_answers
from cqx_infra.processes import ServerProcess

DEBIAN_POSTGRES_ROOT = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"


def find_postgres_bin_dir() -> Path:
    """The bin dir of the newest installed PostgreSQL server (Debian layout first)."""
    versions = [
        path.parent
        for path in DEBIAN_POSTGRES_ROOT.glob("*/bin/postgres")
        if re.fullmatch(r"\d+", path.parent.parent.name)
    ]
    if versions:
        return max(versions, key=lambda bin_dir: int(bin_dir.parent.name))
    on_path = shutil.which("postgres")
    if on_path is None:
        raise InfraStartError(
            f"no PostgreSQL server binaries found (looked in {DEBIAN_POSTGRES_ROOT}/*/bin "
            "and on PATH); install postgresql or start Docker"
        )
    return Path(on_path).resolve().parent


def _checked(bin_dir: Path) -> Path:
    missing = [name for name in ("initdb", "postgres") if not (bin_dir / name).is_file()]
    if missing:
        raise InfraStartError(f"postgres: no {' and no '.join(missing)} in {bin_dir}")
    return bin_dir


class NativePostgres(NativeServer):
    """PostgreSQL on ``127.0.0.1:<port>`` with trust auth and durable commits.

    The data dir survives :meth:`stop` (a later start reuses it); :meth:`RunLayout.purge`
    deletes it. As root the server runs as the ``postgres`` system user.
    """

    name = "postgres"
    # SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, checkpoint, exit.
    stop_signal = signal.SIGINT

    def __init__(
        self, layout: RunLayout, port: int, *, bin_dir: Path | None = None, timeout: float = 60.0
    ) -> None:
        self._layout = layout
        self._port = port
        self._bin_dir = bin_dir
        super().__init__(timeout)

    @property
    def database_url(self) -> str:
        """The superuser DSN of this server."""
        return f"postgresql://{SUPERUSER}@{LOOPBACK}:{self._port}/postgres"

    @property
    def endpoint(self) -> str:
        """The superuser DSN."""
        return self.database_url

    def _prepare(self) -> ServerProcess:
        """Create the cluster if needed; the server's process."""
        bin_dir = _checked(self._bin_dir or find_postgres_bin_dir())
        data_dir = self._prepare_home() / "data"
        if not (data_dir / "PG_VERSION").exists():
            self._initdb(bin_dir, data_dir)
        return self._server(bin_dir, data_dir)

    def _answers(self) -> bool:
        return postgres_answers(self.database_url)

    def _own_argument(self, process: ServerProcess) -> str:
        # the data dir appears only in this server's command line
        return process.argv[2]

    def _prepare_home(self) -> Path:
        home = self._layout.postgres_home()
        home.mkdir(parents=True, exist_ok=True)
        if running_as_root():
            shutil.chown(home, SYSTEM_USER, SYSTEM_USER)
            home.chmod(0o700)
            link = self._layout.postgres_link
            if link.is_symlink() and link.resolve() != home:
                link.unlink()
            if not link.is_symlink():
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(home, target_is_directory=True)
        return home

    def _initdb(self, bin_dir: Path, data_dir: Path) -> None:
        argv = [
            str(bin_dir / "initdb"),
            *("-D", str(data_dir), "-U", SUPERUSER, "--auth=trust"),
            *("--encoding=UTF8", "--locale=C", "--no-sync"),
        ]
        user = SYSTEM_USER if running_as_root() else None
        try:
            result = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                cwd=data_dir.parent,
                user=user,
                group=user,
                extra_groups=[] if user else None,
                timeout=120,
                check=False,
            )
        except OSError as error:
            raise InfraStartError(f"postgres: cannot run initdb: {error}") from error
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")
            raise InfraStartError(f"postgres: initdb failed ({result.returncode}):\n{output}")

    def _server(self, bin_dir: Path, data_dir: Path) -> ServerProcess:
        settings = {
            "listen_addresses": LOOPBACK,
            "unix_socket_directories": "",
            "max_connections": "200",
            "shared_buffers": "256MB",
            # Benchmarks measure durable commits: never trade them for speed here.
            "fsync": "on",
            "synchronous_commit": "on",
        }
        argv = [str(bin_dir / "postgres"), "-D", str(data_dir), "-p", str(self._port)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        return ServerProcess(
            argv,
            self._layout.logs / "postgres.log",
            cwd=data_dir.parent,
            as_user=SYSTEM_USER if running_as_root() else None,
            env={**os.environ, "LC_ALL": "C"},
        )
