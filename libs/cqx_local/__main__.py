"""``python -m cqx_local run``: CQX on this machine, as ``make run`` starts it.

Starts PostgreSQL and Kafka with the launcher (or uses ``CQX_DATABASE_URL`` and
``CQX_KAFKA_BOOTSTRAP``), the four services as processes on their default ports (logs under
``.run/logs/``), seeds the demo market once, prints where everything listens and a few ``cqx``
commands to try, and stops everything on Ctrl-C (or SIGTERM). Data stays in ``.run/`` for
the next run; ``make clean`` removes the environment, ``python -m cqx_infra down --purge``
the data.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time

from cqx_infra import InfraError, Infrastructure, project_root
from cqx_local.system import SERVICES, LocalSystem

TRY = """\
Every port speaks mutual TLS; credentials are in {pki} (the local authority). Try (in
another terminal, from {root}), as the operator, then as the member shanxi-001:
  .venv/bin/cqx --as operator accounts list
  .venv/bin/cqx --as shanxi-001 holdings shanxi-001
  .venv/bin/cqx --as shanxi-001 book CEA-2024 --watch
  .venv/bin/cqx --as shanxi-001 order place --account shanxi-001 --side buy \\
      --instrument CEA-2024 --price 74.50 --quantity 100
  grpcurl -cacert {pki}/ca.crt -cert {pki}/auditor.crt -key {pki}/auditor.key \\
      127.0.0.1:50053 list
  make demo          # trades a simulated day and prints the trades, the close and positions
Ctrl-C stops everything."""


def _wait_for_stop() -> None:
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()


def run() -> int:
    """Bring CQX up, seed it, serve until interrupted."""
    run_dir = project_root() / ".run"
    started = time.monotonic()
    with Infrastructure(run_dir=run_dir) as endpoints:
        # A demo market trades whenever it is shown; set CQX_MATCHING_SESSIONS=exchange for
        # the national market's hours (R-T4).
        sessions = os.environ.get("CQX_MATCHING_SESSIONS", "around-the-clock")
        system = LocalSystem(
            endpoints, run_dir, ports=SERVICES, extra_env={"CQX_MATCHING_SESSIONS": sessions}
        )
        system.start()
        try:
            (run_dir / "services.json").write_text(json.dumps(system.pids()) + "\n")
            _seed(system)
            print(f"CQX is up in {time.monotonic() - started:.1f} s:")
            for service in SERVICES:
                print(f"  {service:<11} {system.address(service)}  log {system.log_path(service)}")
                print(f"  {'':<11} metrics {system.metrics_url(service)}")
            print(f"  postgres    {endpoints.database_url}")
            print(f"  kafka       {endpoints.kafka_bootstrap}")
            print(TRY.format(root=project_root(), pki=system.pki_dir), flush=True)
            _wait_for_stop()
            print("stopping ...", flush=True)
        finally:
            system.stop()
            (run_dir / "services.json").unlink(missing_ok=True)
    return 0


def _seed(system: LocalSystem) -> None:
    """Seed the demo market (idempotent: every request carries a fixed request id)."""
    from cqx_local.demo import seed  # imports the SDK, which needs the generated code

    asyncio.run(seed(system, system.pki_dir))


def main() -> None:
    """Entry point."""
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "run":
        try:
            sys.exit(run())
        except InfraError as error:
            sys.exit(f"cqx: could not start: {error}")
    if command == "demo":
        from cqx_local.demo import trade_a_day

        sys.exit(asyncio.run(trade_a_day()))
    sys.exit(f"unknown command {command!r}; use: run, demo")


if __name__ == "__main__":
    main()
