"""What the read RPCs answer, from the in-memory state."""

from __future__ import annotations

from dataclasses import dataclass

from cqx_allocation.domain import rules
from cqx_allocation.domain.errors import YearNotOpenError
from cqx_allocation.domain.state import AllocationState, ComplianceRecord, Entity
from cqx_service.paging import page_of


@dataclass(frozen=True)
class EntityYear:
    """One entity's allocation and compliance record for one year, with its instrument."""

    entity: Entity
    year: int
    instrument: str
    record: ComplianceRecord


@dataclass(frozen=True)
class EntityPage:
    """A page of entities."""

    entities: list[Entity]
    next_page_token: str


@dataclass(frozen=True)
class CompliancePage:
    """A page of one year's compliance records."""

    records: list[EntityYear]
    next_page_token: str


def get_entity(state: AllocationState, entity_id: str) -> Entity:
    """The entity; ENTITY_ID_MISSING/INVALID or ENTITY_NOT_FOUND otherwise."""
    rules.check_entity_id(entity_id)
    return state.entity(entity_id)


def list_entities(state: AllocationState, page_size: int, page_token: str) -> EntityPage:
    """A page of entities in entity_id order."""
    found = page_of(state.entity_ids, page_size, page_token)
    return EntityPage([state.entities[i] for i in found.keys], found.next_page_token)


def entity_year(state: AllocationState, entity_id: str, year: int) -> EntityYear:
    """The entity's record for ``year`` (its state before anything happened, if nothing did)."""
    rules.check_entity_id(entity_id)
    rules.check_year(year)
    entity = state.entity(entity_id)
    _check_known(state, year)
    return _entity_year(state, entity, year)


def list_compliance(
    state: AllocationState, year: int, page_size: int, page_token: str
) -> CompliancePage:
    """A page of every registered entity's record for ``year``, in entity_id order."""
    rules.check_year(year)
    found = page_of(state.entity_ids, page_size, page_token)
    _check_known(state, year)
    records = [_entity_year(state, state.entities[i], year) for i in found.keys]
    return CompliancePage(records, found.next_page_token)


def _entity_year(state: AllocationState, entity: Entity, year: int) -> EntityYear:
    instrument = state.years.get(year) or rules.instrument_for(year)
    return EntityYear(entity, year, instrument, state.record(entity.entity_id, year))


def _check_known(state: AllocationState, year: int) -> None:
    if not state.has_year(year):
        raise YearNotOpenError(f"compliance year {year} is not open", metadata={"year": str(year)})
