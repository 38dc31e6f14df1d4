"""evolve(state, event): how each event changes the state, live and in replay alike."""

from __future__ import annotations

from cqx_allocation.domain.events import (
    AllocationIssued,
    AllocationSet,
    ComplianceStatusChanged,
    ComplianceYearOpened,
    EmissionsVerified,
    EntityRegistered,
    Event,
    SurrenderRecorded,
    SurrenderUnattributed,
)
from cqx_allocation.domain.state import AllocationState, Entity


def evolve(state: AllocationState, event: Event) -> AllocationState:
    """Apply ``event`` to ``state`` (in place) and return it."""
    match event:
        case EntityRegistered():
            state.add_entity(
                Entity(event.entity_id, event.account_id, event.name, event.sector,
                       event.province)
            )  # fmt: skip
        case ComplianceYearOpened():
            state.years[event.year] = event.instrument
        case AllocationSet():
            state.record_for_update(
                event.entity_id, event.year
            ).allocated_tonnes = event.quantity_tonnes
        case AllocationIssued():
            state.record_for_update(
                event.entity_id, event.year
            ).issued_tonnes += event.quantity_tonnes
        case EmissionsVerified():
            state.record_for_update(
                event.entity_id, event.year
            ).verified_tonnes = event.verified_tonnes
        case SurrenderRecorded():
            state.record_for_update(
                event.entity_id, event.year
            ).surrendered_tonnes += event.quantity_tonnes
        case ComplianceStatusChanged():
            state.record_for_update(event.entity_id, event.year).status = event.status
        case SurrenderUnattributed():
            pass  # kept in the log for the authority; it changes no obligation
    return state
