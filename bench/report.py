"""How a benchmark reports: a printed line and a JSON file per figure set."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass

from cqx_infra import Endpoints, Infrastructure, project_root

OUT = project_root() / ".run" / "bench"


@dataclass(frozen=True)
class Figure:
    """One measured figure, with the ceiling it is compared to where one applies."""

    name: str
    metric: str
    value: float
    unit: str
    ceiling: float | None = None
    target: str | None = None

    @property
    def ratio(self) -> float | None:
        """value / ceiling."""
        return round(self.value / self.ceiling, 3) if self.ceiling else None


def report(figure: Figure, *extra: Figure) -> None:
    """Print the figures and write them to .run/bench/<name>.json."""
    OUT.mkdir(parents=True, exist_ok=True)
    figures = [figure, *extra]
    for f in figures:
        ceiling = f"  ceiling {f.ceiling:,.0f} {f.unit}  ratio {f.ratio}" if f.ceiling else ""
        target = f"  (target {f.target})" if f.target else ""
        print(f"{f.name:<22} {f.metric:<34} {f.value:>12,.1f} {f.unit}{ceiling}{target}")
    rows = [{**asdict(f), "ratio": f.ratio} for f in figures]
    payload = rows[0] if len(rows) == 1 else {"name": figure.name, "figures": rows}
    (OUT / f"{figure.name}.json").write_text(json.dumps(payload, indent=2) + "\n")


@asynccontextmanager
async def infrastructure() -> AsyncIterator[Endpoints]:
    """The launcher's PostgreSQL and Kafka (or those named by CQX_* variables)."""
    run_dir = project_root() / ".run" / f"bench-{os.getpid()}"
    with Infrastructure(run_dir=run_dir, ephemeral=True) as endpoints:
        yield endpoints
