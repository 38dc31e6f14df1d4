"""Properties over random sequences of registry commands.

After every command: conservation holds per instrument (issued = registry + trading + frozen +
surrendered + cancelled), no part is negative, and a refused command changed nothing. At the
end: replaying the recorded form of the events rebuilds the same registry, and the holdings
projection's rows add up to the same holdings however the log is cut into batches.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from cqx_eventstore import RecordedEvent
from cqx_kernel.errors import CqxError
from cqx_registry.adapters.codec import decode, encode
from cqx_registry.adapters.holdings_projector import row_changes
from cqx_registry.domain import commands as cmd
from cqx_registry.domain import events as ev
from cqx_registry.domain.conservation import conservation_of_all
from cqx_registry.domain.decide import decide
from cqx_registry.domain.state import Registry, evolve
from cqx_registry.domain.streams import stream_of

ACCOUNTS = ("A", "B", "C")
INSTRUMENTS = ("CEA-2019-2020", "CEA-2024")
account = st.sampled_from(ACCOUNTS)
instrument = st.sampled_from(INSTRUMENTS)
quantity = st.integers(min_value=-1, max_value=120)


@st.composite
def _commands(draw: st.DrawFn) -> list[cmd.Command]:
    """Accounts opened and issued to, then up to 40 random commands; the ids of what they
    create are unique, and answers and unfreezes mostly name a move or freeze made earlier."""
    commands: list[cmd.Command] = [
        cmd.RegisterParticipant(a, cmd.ParticipantKind.KEY_EMISSION_UNIT, a) for a in ACCOUNTS
    ]
    commands += [
        cmd.OpenAccount(a, cmd.AccountKind.COVERED_ENTITY, "Company", a) for a in ACCOUNTS[:2]
    ]
    commands += [cmd.IssueAllowances(f"seed{a}", a, "CEA-2024", 200, "e") for a in ACCOUNTS[:2]]
    for i in range(draw(st.integers(min_value=1, max_value=40))):
        a, b, code = draw(account), draw(account), draw(instrument)
        q = draw(quantity)
        move = _earlier(
            draw, "m", [c.move_id for c in commands if isinstance(c, cmd.MoveFromTrading)]
        )
        freeze = _earlier(draw, "f", [c.freeze_id for c in commands if isinstance(c, cmd.Freeze)])
        choices: list[cmd.Command] = [
            cmd.OpenAccount(a, cmd.AccountKind.COVERED_ENTITY, "Company", a),
            cmd.RestrictParticipant(a, "order"),
            cmd.ReinstateParticipant(a),
            cmd.IssueAllowances(f"iss{i}", a, code, q * 3, "e"),
            cmd.MoveToTrading(f"m{i}", a, code, q),
            cmd.MoveFromTrading(f"m{i}", a, code, q),
            cmd.ApproveWithdrawal(move),
            cmd.RefuseWithdrawal(move, "RESERVED"),
            cmd.TransferAllowances(f"t{i}", a, b, code, q),
            cmd.Surrender(f"s{i}", a, code, q, 2024),
            cmd.CancelAllowances(f"c{i}", a, code, q),
            cmd.Freeze(f"f{i}", a, code, q, "order"),
            cmd.Unfreeze(freeze, q),
            cmd.DeliverTrade(f"x{i}", a, b, code, q, "e"),
        ]
        commands.append(draw(st.sampled_from(choices)))
    return commands


def _earlier(draw: st.DrawFn, prefix: str, made: list[str]) -> str:
    """Mostly an id made earlier; sometimes one never made."""
    return draw(st.sampled_from([*made, f"{prefix}-unknown"]))


def _assert_sound(state: Registry) -> None:
    for parts in conservation_of_all(state):
        assert parts.holds, parts
        assert min(parts.issued, parts.surrendered, parts.cancelled) >= 0, parts
    for by_instrument in state.holdings.values():
        for holding in by_instrument.values():
            assert min(holding.registry, holding.trading, holding.frozen) >= 0, holding
            assert holding.pending_out >= 0, holding


def _run(commands: list[cmd.Command]) -> tuple[Registry, list[ev.Event]]:
    state, log = Registry(), list[ev.Event]()
    for command in commands:
        before = copy.deepcopy(state)
        try:
            decided = decide(state, command)
        except CqxError:
            assert state == before, "a refused command changed the registry"
            continue
        for event in decided.events:
            evolve(state, event)
        log += decided.events
        _assert_sound(state)
    return state, log


@settings(max_examples=300, deadline=None)
@given(_commands())
def test_conservation_holds_and_no_part_goes_negative_after_every_command(
    commands: list[cmd.Command],
) -> None:
    _run(commands)


@settings(max_examples=150, deadline=None)
@given(_commands(), st.integers(min_value=1, max_value=7))
def test_replay_and_projection_of_the_recorded_log_equal_the_live_registry(
    commands: list[cmd.Command], batch_size: int
) -> None:
    live, log = _run(commands)
    recorded = [_recorded(position, event) for position, event in enumerate(log, start=1)]
    replayed = Registry()
    for row in recorded:
        evolve(replayed, decode(row.event_type, row.payload, row.stream_id))
    assert replayed == live
    table: dict[tuple[str, str], list[int]] = {}
    for start in range(0, len(recorded), batch_size):
        for a, i, r, t, f, _ in row_changes(recorded[start : start + batch_size]):
            parts = table.setdefault((a, i), [0, 0, 0])
            parts[:] = [parts[0] + r, parts[1] + t, parts[2] + f]
    for (a, i), parts in table.items():
        held = live.holding(a, i)
        assert parts == [held.registry, held.trading, held.frozen]


def _recorded(position: int, event: ev.Event) -> RecordedEvent:
    type_name, payload = encode(event)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return RecordedEvent(
        position, stream_of(event), 1, "id", type_name, payload, b"{}", at, b"", b""
    )
