"""``python -m cqx_infra up|down|status [--run-dir DIR]``: local PostgreSQL and Kafka.

``up`` starts them detached (they outlive the command), records them in
``<run_dir>/infra.json`` and prints ``CQX_DATABASE_URL=…``, ``CQX_KAFKA_BOOTSTRAP=…``,
``CQX_KAFKA_ADMIN_USERNAME=…`` and ``CQX_KAFKA_ADMIN_PASSWORD=…`` lines (the broker's
administrator, with whom a service provisions its own Kafka user); run again, it only prints
them. ``down`` stops what ``infra.json`` names (``--purge`` also
deletes the data). ``status`` says whether each answers, exit code 1 if one does not.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from cqx_bus.access import ADMIN_PREFIX
from cqx_infra.endpoints import Endpoints, default_run_dir
from cqx_infra.errors import InfraError
from cqx_infra.launcher import ENV_DATABASE_URL, ENV_KAFKA_BOOTSTRAP, Infrastructure
from cqx_infra.layout import RunLayout
from cqx_infra.probes import kafka_answers, postgres_answers
from cqx_infra.state import endpoints_of, read_state, stop_recorded, write_state


def _print_endpoints(endpoints: Endpoints) -> None:
    print(f"{ENV_DATABASE_URL}={endpoints.database_url}")
    print(f"{ENV_KAFKA_BOOTSTRAP}={endpoints.kafka_bootstrap}")
    print(f"{ADMIN_PREFIX}_USERNAME={endpoints.kafka_admin_credentials.username}")
    print(f"{ADMIN_PREFIX}_PASSWORD={endpoints.kafka_admin_credentials.password}")


def _answers(endpoints: Endpoints) -> dict[str, bool]:
    return {
        "postgres": postgres_answers(endpoints.database_url),
        "kafka": kafka_answers(endpoints.kafka_admin),
    }


def _up(layout: RunLayout) -> int:
    state = read_state(layout.state_file)
    if state is not None:
        if _recorded_answers(state):
            _print_endpoints(endpoints_of(state))
            print(f"# already running ({layout.state_file})")
            return 0
        print("# recorded services do not answer; replacing them", file=sys.stderr)
        stop_recorded(state)
        layout.state_file.unlink()
    infra = Infrastructure(layout.run_dir, detached=True)
    try:
        endpoints = infra.start()
    except InfraError as error:
        print(f"cqx_infra up failed: {error}", file=sys.stderr)
        return 1
    write_state(layout.state_file, endpoints, infra.detach(), infra.timings)
    _print_endpoints(endpoints)
    parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in infra.timings.items())
    print(f"# {endpoints.source}; ready in: {parts}")
    return 0


def _down(layout: RunLayout, purge: bool) -> int:
    state = read_state(layout.state_file)
    if state is None:
        print(f"# nothing recorded in {layout.state_file}")
    else:
        stop_recorded(state)
        layout.state_file.unlink()
        print(f"# stopped: {', '.join(_names(state)) or 'nothing (external endpoints)'}")
    if purge:
        layout.purge()
        print(f"# deleted the data in {layout.run_dir}")
    return 0


def _recorded_answers(state: dict[str, Any]) -> bool:
    """Whether the recorded services answer (a record from before the broker had an
    administrator never does: it is replaced)."""
    try:
        endpoints = endpoints_of(state)
    except KeyError:
        return False
    return all(_answers(endpoints).values())


def _names(state: dict[str, Any]) -> list[str]:
    return [str(record.get("name")) for record in state.get("services", [])]


def _status(layout: RunLayout) -> int:
    state = read_state(layout.state_file)
    if state is None:
        print(f"not running: no {layout.state_file}")
        return 1
    try:
        endpoints = endpoints_of(state)
    except KeyError:
        print(f"{layout.state_file} names no Kafka administrator: run `up` again to replace it")
        return 1
    answers = _answers(endpoints)
    addresses = {"postgres": endpoints.database_url, "kafka": endpoints.kafka_bootstrap}
    for name, address in addresses.items():
        verdict = "answers" if answers[name] else "DOES NOT ANSWER"
        print(f"{name:9} {address}  {verdict}  ({endpoints.source})")
    return 0 if all(answers.values()) else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cqx_infra", description=__doc__)
    parser.add_argument("command", choices=("up", "down", "status"))
    parser.add_argument("--run-dir", type=Path, default=None, help="default: <project_root>/.run")
    parser.add_argument("--purge", action="store_true", help="down: also delete the data")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    arguments = _parser().parse_args(argv)
    # The probes poll brokers that may be down; their client's connection errors are noise.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    layout = RunLayout((arguments.run_dir or default_run_dir()).resolve())
    if arguments.command == "up":
        return _up(layout)
    if arguments.command == "down":
        return _down(layout, arguments.purge)
    return _status(layout)


if __name__ == "__main__":
    sys.exit(main())
