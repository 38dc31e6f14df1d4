"""The demo market's figures: Shanxi's 96 key emission units, their allocations and cash.

DOMAIN.md: 96 Shanxi units took part in the national market; 2025's year-end close was
74.63 CNY/t. Everything here is deterministic, so every seed of a fresh system is the same
and a second seed (with the same request ids) changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

YEAR = 2024
INSTRUMENT = f"CEA-{YEAR}"
UNITS = 96
FEE_ACCOUNT = "exchange-fees"
EXCHANGE_PARTICIPANT = "cqx-exchange"  # the staff body that owns the fee account (R-A2)
PREVIOUS_CLOSE_FEN = 7463  # 74.63 CNY/t
DEPOSIT_FEN = 5_000_000_00  # 5,000,000.00 CNY each
TRADING_SHARE_PERCENT = 10  # of each allocation, moved to trading
_CITIES = (
    "Taiyuan",
    "Datong",
    "Yangquan",
    "Changzhi",
    "Jincheng",
    "Shuozhou",
    "Jinzhong",
    "Yuncheng",
    "Xinzhou",
    "Linfen",
    "Lvliang",
)


@dataclass(frozen=True)
class CoveredUnit:
    """One key emission unit of the demo: its registry account is also its entity id."""

    account_id: str
    name: str
    allocation_tonnes: int

    @property
    def trading_tonnes(self) -> int:
        """What the seed moves into trading."""
        return self.allocation_tonnes * TRADING_SHARE_PERCENT // 100


def covered_units() -> tuple[CoveredUnit, ...]:
    """``shanxi-001`` … ``shanxi-096``: a power plant each, allocated 200,000–2,000,000 t
    (whole thousands, the same on every run)."""
    units = []
    for n in range(1, UNITS + 1):
        city = _CITIES[(n - 1) % len(_CITIES)]
        number = (n - 1) // len(_CITIES) + 1
        allocation = random.Random(f"shanxi-{n}").randrange(200, 2001) * 1000
        units.append(CoveredUnit(f"shanxi-{n:03d}", f"{city} Power No. {number}", allocation))
    return tuple(units)


def request_id(*parts: object) -> str:
    """A fixed request id for one seeding step, so a second seed is answered, not re-run."""
    return "demo-seed-" + "-".join(str(p) for p in parts)


# Refusals that mean the exchange is outside its sessions (R-T4), not that the demo erred.
SESSION_REASONS = frozenset({"NOT_A_TRADING_DAY", "SESSION_CLOSED", "TRADING_DATE_NOT_TODAY"})
DAY_CLOSED_REASONS = frozenset({"DAY_ALREADY_CLOSED"})
BIDDING_OPEN_HINT = (
    "a one-way bidding's window is still open, and the day closes only after it: close it "
    "once its window ends (`cqx bidding close ID`), then run `make demo` again"
)
DAY_CLOSED_HINT = (
    "today's trading day was closed (`make demo` closes it) and a day never reopens; the "
    "market opens again on the next trading day. For a fresh market now: stop `make run`, "
    "run `.venv/bin/python -m cqx_infra down --purge`, then `make run`"
)
SESSION_HINT = (
    "the exchange trades Monday to Friday, 09:30-11:30 and 13:00-15:00 Asia/Shanghai (R-T4); "
    "for a demo at any hour run CQX with CQX_MATCHING_SESSIONS=around-the-clock"
)
