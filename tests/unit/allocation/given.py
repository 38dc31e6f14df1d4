"""Given events → when a command → then events: the allocation domain's test vocabulary."""

from __future__ import annotations

from cqx_allocation.domain.commands import Command
from cqx_allocation.domain.decisions import decide
from cqx_allocation.domain.events import (
    ComplianceYearOpened,
    EntityRegistered,
    Event,
)
from cqx_allocation.domain.evolution import evolve
from cqx_allocation.domain.state import AllocationState

PLANT = EntityRegistered("shanxi-001", "acct-001", "Datong Power", "power", "Shanxi")
YEAR_2024 = ComplianceYearOpened(2024, "CEA-2024")


def given(*events: Event) -> AllocationState:
    """The state these events leave."""
    state = AllocationState()
    for event in events:
        evolve(state, event)
    return state


def when(state: AllocationState, command: Command) -> list[Event]:
    """The events ``command`` causes in ``state`` (the state is not changed)."""
    return decide(state, command)
