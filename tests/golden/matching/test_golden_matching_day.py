"""Golden determinism: the recorded day replays to the same trades and the same event hash.

If this fails after an intended change to the engine's output, re-bless deliberately with
``python -m tests.golden.matching.regenerate`` and explain the change in the commit.
"""

from __future__ import annotations

from collections import Counter

from cqx_matching.domain import Exchange, TradeExecuted, TradingMode, rejection_in
from tests.golden.matching.golden import (
    CALENDAR,
    DIGEST,
    INSTRUMENTS,
    TRADES,
    load_commands,
    outputs,
    replay_day,
)

HINT = "engine output changed; if intended: python -m tests.golden.matching.regenerate"


def test_the_recorded_day_replays_to_the_same_trades_and_event_hash() -> None:
    exchange, events = replay_day(load_commands())
    exchange.validate_internal_state()
    trades, digest = outputs(events)
    expected_trades = TRADES.read_text(encoding="utf-8").splitlines()
    assert trades == expected_trades, HINT
    assert digest == DIGEST.read_text(encoding="utf-8").strip(), HINT


def test_the_recorded_day_exercises_every_mode() -> None:
    _, events = replay_day(load_commands())
    modes = Counter(e.mode for e in events if isinstance(e, TradeExecuted))
    assert set(modes) == set(TradingMode)
    assert modes[TradingMode.CONTINUOUS] > 100


def test_replaying_the_days_events_rebuilds_the_days_state() -> None:
    exchange, events = replay_day(load_commands())
    assert Exchange.replay(INSTRUMENTS, events, CALENDAR).snapshot() == exchange.snapshot()


def test_a_second_run_of_the_day_is_identical() -> None:
    commands = load_commands()
    assert outputs(replay_day(commands)[1]) == outputs(replay_day(commands)[1])
    assert rejection_in(replay_day(commands[:1])[1]) is None
