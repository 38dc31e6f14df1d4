"""The exchange's own settings, read once from the environment beside RuntimeSettings."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from cqx_kernel.calendar import TradingCalendar, calendar_for
from cqx_kernel.errors import InvalidArgumentError
from cqx_matching.domain import InstrumentConfig, SelfTradePrevention
from cqx_matching.instruments_file import Overrides, load_overrides

DEFAULT_FEE_BPS = 5
SESSION_MODES = ("exchange", "around-the-clock")


@dataclass(frozen=True)
class MatchingSettings:
    """How the exchange trades.

    ``CQX_MATCHING_FEE_BPS`` (default 5 = 0.05%): each side's fee on a trade's notional, in
    basis points, rounded down to the fen by the engine (a reservation then always covers
    the fills it pays for). ``CQX_MATCHING_TICK_FEN`` (default 1, R-U2).
    ``CQX_MATCHING_SESSIONS``: ``exchange`` (default: R-T4, Monday to Friday 09:30-11:30 and
    13:00-15:00 Asia/Shanghai, block 13:00-15:00, the day closes from 15:00) or
    ``around-the-clock`` (every day, every mode, all day; the operator closes whenever — for
    demos). ``CQX_MATCHING_HOLIDAYS``: the operator's holidays, ``yyyy-mm-dd`` separated by
    commas. ``CQX_MATCHING_SELF_TRADE_PREVENTION``: ``CANCEL_NEWEST`` (default),
    ``CANCEL_OLDEST`` or ``CANCEL_BOTH``. ``CQX_MATCHING_INSTRUMENTS``: a JSON file of
    per-instrument settings (modes, bands, quantity limits, fees; see
    :mod:`cqx_matching.instruments_file`). The figures apply to instruments listed from then
    on: each instrument's configuration is recorded when it is listed.
    """

    fee_bps: int = DEFAULT_FEE_BPS
    tick_fen: int = 1
    sessions: str = "exchange"
    holidays: frozenset[date] = frozenset()
    self_trade_prevention: SelfTradePrevention = SelfTradePrevention.CANCEL_NEWEST
    instruments: Overrides = field(default_factory=dict)

    def calendar(self) -> TradingCalendar:
        """The trading calendar these settings describe."""
        return calendar_for(self.sessions, self.holidays)

    def instrument_config(self, instrument: str) -> InstrumentConfig:
        """How a newly listed instrument trades (its reference price comes with its first day)."""
        config = InstrumentConfig(
            instrument,
            previous_close=0,
            tick=self.tick_fen,
            fee_bps=self.fee_bps,
            self_trade_prevention=self.self_trade_prevention,
        )
        return dataclasses.replace(config, **self.instruments.get(instrument, {}))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MatchingSettings:
        """Read the settings; a malformed value is a clear error."""
        env = os.environ if environ is None else environ
        sessions = env.get("CQX_MATCHING_SESSIONS", "").strip() or "exchange"
        if sessions not in SESSION_MODES:
            raise InvalidArgumentError(
                f"CQX_MATCHING_SESSIONS is one of {', '.join(SESSION_MODES)}: {sessions!r}"
            )
        stp = env.get("CQX_MATCHING_SELF_TRADE_PREVENTION", "").strip() or "CANCEL_NEWEST"
        if stp not in SelfTradePrevention.__members__:
            raise InvalidArgumentError(f"CQX_MATCHING_SELF_TRADE_PREVENTION: {stp!r}")
        return cls(
            fee_bps=_integer(env, "CQX_MATCHING_FEE_BPS", DEFAULT_FEE_BPS, 0, 10_000),
            tick_fen=_integer(env, "CQX_MATCHING_TICK_FEN", 1, 1, 1_000_000),
            sessions=sessions,
            holidays=_dates(env.get("CQX_MATCHING_HOLIDAYS", "")),
            self_trade_prevention=SelfTradePrevention(stp),
            instruments=load_overrides(env.get("CQX_MATCHING_INSTRUMENTS", "").strip()),
        )


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidArgumentError(f"{name} is a whole number from {low} to {high}: {text!r}")
    return int(text)


def _dates(text: str) -> frozenset[date]:
    days: set[date] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            days.add(date.fromisoformat(part))
        except ValueError:
            raise InvalidArgumentError(f"CQX_MATCHING_HOLIDAYS: not yyyy-mm-dd: {part!r}") from None
    return frozenset(days)
