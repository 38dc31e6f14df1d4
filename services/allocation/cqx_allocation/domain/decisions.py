"""decide(state, command) -> events: the rules each command must pass, and what it causes.

``decide`` never changes the state; a refused command raises an :class:`AllocationError` and
causes nothing. A registry surrender is never refused (the registry has recorded it already):
it is attributed to an entity's obligation, or recorded as unattributed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cqx_allocation.domain import rules
from cqx_allocation.domain.commands import (
    Command,
    IssueAllocation,
    OpenComplianceYear,
    RecordSurrender,
    RecordVerifiedEmissions,
    RegisterEntity,
    SetAllocation,
)
from cqx_allocation.domain.errors import (
    AccountAlreadyLinkedError,
    EntityAlreadyExistsError,
    NothingToIssueError,
    YearAlreadyOpenError,
)
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
from cqx_allocation.domain.state import AllocationState, ComplianceRecord, Entity


def decide(state: AllocationState, command: Command) -> list[Event]:
    """The events ``command`` causes in ``state``; raises if a rule refuses it."""
    step: Callable[[AllocationState, Any], list[Event]] = _STEPS[type(command)]
    return step(state, command)


def _register_entity(state: AllocationState, c: RegisterEntity) -> list[Event]:
    rules.check_entity_id(c.entity_id)
    for field_name in ("account_id", "name", "sector", "province"):
        rules.check_text(field_name, getattr(c, field_name))
    if c.entity_id in state.entities:
        raise EntityAlreadyExistsError(
            f"entity {c.entity_id!r} is registered already", metadata={"entity_id": c.entity_id}
        )
    holder = state.entity_by_account.get(c.account_id)
    if holder is not None:
        raise AccountAlreadyLinkedError(
            f"account {c.account_id!r} belongs to entity {holder!r}",
            metadata={"account_id": c.account_id, "entity_id": holder},
        )
    return [EntityRegistered(c.entity_id, c.account_id, c.name, c.sector, c.province)]


def _open_compliance_year(state: AllocationState, c: OpenComplianceYear) -> list[Event]:
    rules.check_year(c.year)
    if c.year in state.years:
        raise YearAlreadyOpenError(
            f"compliance year {c.year} is open already", metadata={"year": str(c.year)}
        )
    return [ComplianceYearOpened(c.year, rules.instrument_for(c.year))]


def _set_allocation(state: AllocationState, c: SetAllocation) -> list[Event]:
    rules.check_not_negative("quantity_tonnes", c.quantity_tonnes)
    _check_entity_and_year(state, c.entity_id, c.year)
    return [AllocationSet(c.entity_id, c.year, c.quantity_tonnes)]


def _issue_allocation(state: AllocationState, c: IssueAllocation) -> list[Event]:
    entity, instrument = _check_entity_and_year(state, c.entity_id, c.year)
    record = state.record(c.entity_id, c.year)
    if record.unissued_tonnes <= 0:
        raise NothingToIssueError(
            f"entity {c.entity_id!r} has nothing left to issue for {c.year}",
            metadata={
                "entity_id": c.entity_id,
                "year": str(c.year),
                "allocated_tonnes": str(record.allocated_tonnes),
                "issued_tonnes": str(record.issued_tonnes),
            },
        )
    return [
        AllocationIssued(
            c.issuance_id, c.entity_id, entity.account_id, c.year, instrument,
            record.unissued_tonnes,
        )
    ]  # fmt: skip


def _record_verified_emissions(state: AllocationState, c: RecordVerifiedEmissions) -> list[Event]:
    rules.check_not_negative("verified_tonnes", c.verified_tonnes)
    _check_entity_and_year(state, c.entity_id, c.year)
    record = state.record(c.entity_id, c.year)
    verified = EmissionsVerified(c.entity_id, c.year, c.verified_tonnes)
    return [verified, *_status_change(c.entity_id, c.year, record, c.verified_tonnes, 0)]


def _record_surrender(state: AllocationState, c: RecordSurrender) -> list[Event]:
    entity_id = state.entity_by_account.get(c.account_id)
    if entity_id is None:
        return [_unattributed(c, "ACCOUNT_NOT_LINKED", entity_id="")]
    if not rules.year_in_range(c.compliance_year):
        return [_unattributed(c, "YEAR_OUT_OF_RANGE", entity_id=entity_id)]
    record = state.record(entity_id, c.compliance_year)
    surrendered = SurrenderRecorded(
        entity_id, c.compliance_year, c.instrument, c.quantity_tonnes, c.source_event_id
    )
    change = _status_change(
        entity_id, c.compliance_year, record, record.verified_tonnes, c.quantity_tonnes
    )
    return [surrendered, *change]


def _unattributed(c: RecordSurrender, reason: str, *, entity_id: str) -> SurrenderUnattributed:
    return SurrenderUnattributed(
        c.account_id, c.instrument, c.quantity_tonnes, c.source_event_id, c.compliance_year,
        reason, entity_id,
    )  # fmt: skip


def _status_change(
    entity_id: str, year: int, record: ComplianceRecord, verified: int | None, added: int
) -> list[Event]:
    """A ComplianceStatusChanged if the record, with ``verified`` and ``added``, changes status."""
    surrendered = record.surrendered_tonnes + added
    status = rules.compliance_status(verified, surrendered)
    if status == record.status:
        return []
    return [ComplianceStatusChanged(entity_id, year, status, surrendered, verified or 0)]


def _check_entity_and_year(state: AllocationState, entity_id: str, year: int) -> tuple[Entity, str]:
    """The entity and the year's instrument, after the checks every entity-year command needs."""
    rules.check_entity_id(entity_id)
    rules.check_year(year)
    return state.entity(entity_id), state.instrument(year)


_STEPS: dict[type, Callable[[AllocationState, Any], list[Event]]] = {
    RegisterEntity: _register_entity,
    OpenComplianceYear: _open_compliance_year,
    SetAllocation: _set_allocation,
    IssueAllocation: _issue_allocation,
    RecordVerifiedEmissions: _record_verified_emissions,
    RecordSurrender: _record_surrender,
}
