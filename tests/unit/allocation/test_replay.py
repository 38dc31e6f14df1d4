"""Replaying the events a run of commands emitted rebuilds exactly the live state."""

from __future__ import annotations

from hypothesis import given as for_all
from hypothesis import settings
from hypothesis import strategies as st

from cqx_allocation.domain.commands import (
    Command,
    IssueAllocation,
    OpenComplianceYear,
    RecordSurrender,
    RecordVerifiedEmissions,
    RegisterEntity,
    SetAllocation,
)
from cqx_allocation.domain.decisions import decide
from cqx_allocation.domain.errors import AllocationError
from cqx_allocation.domain.events import Event
from cqx_allocation.domain.evolution import evolve
from cqx_allocation.domain.rules import compliance_status
from cqx_allocation.domain.state import AllocationState

entities = st.sampled_from(["e1", "e2", "e3"])
accounts = st.sampled_from(["a1", "a2", "a3", "a4"])
years = st.sampled_from([2019, 2020, 2024, 2018])
tonnes = st.integers(min_value=-5, max_value=2_000)

commands: st.SearchStrategy[Command] = st.one_of(
    st.builds(RegisterEntity, entities, accounts, st.just("n"), st.just("power"),
              st.just("Shanxi")),
    st.builds(OpenComplianceYear, years),
    st.builds(SetAllocation, entities, years, tonnes),
    st.builds(IssueAllocation, entities, years, st.uuids().map(str)),
    st.builds(RecordVerifiedEmissions, entities, years, tonnes),
    st.builds(RecordSurrender, accounts, st.just("CEA-2024"), tonnes.filter(lambda t: t > 0),
              years, st.uuids().map(str)),
)  # fmt: skip


def _run(script: list[Command]) -> tuple[AllocationState, list[Event]]:
    state, log = AllocationState(), []
    for command in script:
        try:
            events = decide(state, command)
        except AllocationError:
            continue
        for event in events:
            evolve(state, event)
        log += events
    return state, log


@settings(max_examples=300, deadline=None)
@for_all(st.lists(commands, max_size=40))
def test_replay_of_the_emitted_events_equals_the_live_state(script: list[Command]) -> None:
    live, log = _run(script)
    replayed = AllocationState()
    for event in log:
        evolve(replayed, event)
    assert replayed == live


@settings(max_examples=300, deadline=None)
@for_all(st.lists(commands, max_size=40))
def test_r_c1_every_status_follows_from_verified_and_surrendered(script: list[Command]) -> None:
    state, _ = _run(script)
    for record in state.records.values():
        assert record.status is compliance_status(record.verified_tonnes,
                                                  record.surrendered_tonnes)  # fmt: skip
        assert record.issued_tonnes >= 0
