"""``python -m bench [name ...]``: run the benchmarks (all by default), print their figures.

Each writes .run/bench/<name>.json. One PostgreSQL and one Kafka, from the launcher, serve
them all.
"""

from __future__ import annotations

import importlib
import sys

from bench import report
from cqx_service.main import run_event_loop

ALL = ["eventstore_append", "eventstore_replay", "relay", "matching_engine", "e2e"]


async def run(names: list[str]) -> None:
    async with report.infrastructure() as endpoints:  # one launch serves every benchmark
        for name in names:
            print(f"--- {name}", flush=True)
            await importlib.import_module(f"bench.{name}").measure(endpoints)


def main() -> None:
    """Entry point."""
    names = sys.argv[1:] or ALL
    unknown = sorted(set(names) - set(ALL))
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(ALL)}")
    run_event_loop(run(names))


if __name__ == "__main__":
    main()
