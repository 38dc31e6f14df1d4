"""Server processes started in their own session, logged to a file, stopped as a group.

Each child leads a new session (``start_new_session``), so its process group id equals its
pid: stopping signals the whole group and leaves no orphan, even for a process that is no
longer our child (``python -m cqx_infra down`` in a later shell).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from cqx_infra.errors import InfraStartError
from cqx_infra.service import ServiceRecord

KILL_WAIT_SECONDS = 10.0


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` names a live process (a zombie awaiting its reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        return _signal_reaches(pid)
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _signal_reaches(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def command_line(pid: int) -> str:
    """The command line of ``pid`` joined by spaces, empty if it is gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def signal_group(pid: int, sig: int) -> None:
    """Send ``sig`` to the process group led by ``pid``; a vanished group is not an error."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def wait_gone(pid: int, timeout: float) -> bool:
    """Poll until ``pid`` is gone or ``timeout`` passes; whether it is gone."""
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def stop_group(pid: int, first_signal: int, grace: float) -> None:
    """Stop the group led by ``pid``: ``first_signal``, then SIGKILL after ``grace`` seconds.

    For processes that are not our children (the CLI's ``down``); children are stopped by
    :meth:`ServerProcess.stop`, which also reaps them.
    """
    signal_group(pid, first_signal)
    if not wait_gone(pid, grace):
        signal_group(pid, signal.SIGKILL)
        wait_gone(pid, KILL_WAIT_SECONDS)
    # Helpers of the leader (postgres backends) die with it; sweep any that did not.
    signal_group(pid, signal.SIGKILL)


def log_tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of the log at ``path`` (empty if it does not exist), after
    the first few ERROR/FATAL lines: a failing JVM logs its cause long before it exits."""
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    earlier = text[: max(len(text) - lines, 0)]
    errors = _error_lines(earlier)[:10]
    head = [*errors, "..."] if errors else []
    return "\n".join([*head, *text[-lines:]])


def _error_lines(lines: list[str]) -> list[str]:
    """ERROR/FATAL lines, each with the exception message on the line after it."""
    found: list[str] = []
    for index, line in enumerate(lines):
        if " ERROR " in line or " FATAL " in line:
            found.append(line)
            following = lines[index + 1] if index + 1 < len(lines) else "["
            if not following.startswith(("[", "\t")):
                found.append(following)
    return found


class ServerProcess:
    """One long-running server process whose output goes to ``log_path``.

    ``as_user`` runs it as that system user (PostgreSQL refuses to run as root).
    """

    def __init__(
        self,
        argv: Sequence[str],
        log_path: Path,
        *,
        cwd: Path,
        as_user: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.argv = list(argv)
        self.log_path = log_path
        self._cwd = cwd
        self._as_user = as_user
        self._env = dict(env) if env is not None else None
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The pid of the process, ``None`` before it was started or after :meth:`detach`."""
        return None if self._popen is None else self._popen.pid

    def spawn(self) -> None:
        """Start the process in a new session, appending its output to the log."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            try:
                self._popen = self._popen_with(log)
            except OSError as error:
                raise InfraStartError(f"cannot run {self.argv[0]}: {error}") from error

    def _popen_with(self, log: BinaryIO) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self._cwd,
            env=self._env,
            start_new_session=True,
            user=self._as_user,
            group=self._as_user,
            extra_groups=[] if self._as_user else None,
        )

    def exit_code(self) -> int | None:
        """The exit code if the process has ended, else ``None``."""
        return None if self._popen is None else self._popen.poll()

    def stop(self, first_signal: int, grace: float) -> None:
        """Stop the process group: ``first_signal``, SIGKILL after ``grace`` s, then reap it."""
        if self._popen is None:
            return
        popen = self._popen
        if popen.poll() is None:
            signal_group(popen.pid, first_signal)
            try:
                popen.wait(grace)
            except subprocess.TimeoutExpired:
                signal_group(popen.pid, signal.SIGKILL)
                popen.wait(KILL_WAIT_SECONDS)
        signal_group(popen.pid, signal.SIGKILL)

    def detach(
        self, name: str, match: str, stop_signal: signal.Signals, grace: float
    ) -> ServiceRecord:
        """Forget the process without stopping it (it outlives this Python process); return
        the record a later ``down`` uses to find it (``match``: a unique part of its command
        line, so a reused pid is never signalled) and stop it."""
        if self._popen is None:
            raise RuntimeError(f"{name} was not started")
        record: ServiceRecord = {
            "kind": "process",
            "name": name,
            "pid": self._popen.pid,
            "match": match,
            "stop_signal": stop_signal.name,
            "grace": int(grace),
        }
        # Keep Popen's finalizer from warning that a child is still running.
        self._popen.returncode = 0
        self._popen = None
        return record
