"""``trade_a_day()``: a simulated trading session against the running system (pending the
matching service's API)."""

from __future__ import annotations


async def trade_a_day() -> int:
    """MATCHING: trade a simulated day; waiting for the matching service's API."""
    print("demo: the matching service's API is not there yet", flush=True)
    return 1
