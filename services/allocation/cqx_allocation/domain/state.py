"""The allocation cycle's state: entities, open years, and each entity's record per year."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from cqx_allocation.domain.errors import EntityNotFoundError, YearNotOpenError
from cqx_allocation.domain.events import ComplianceStatus


@dataclass(frozen=True)
class Entity:
    """A covered entity and the registry account it holds allowances in."""

    entity_id: str
    account_id: str
    name: str
    sector: str
    province: str


@dataclass
class ComplianceRecord:
    """One entity's allocation and compliance for one year."""

    allocated_tonnes: int = 0
    issued_tonnes: int = 0
    verified_tonnes: int | None = None
    surrendered_tonnes: int = 0
    status: ComplianceStatus = ComplianceStatus.C

    @property
    def unissued_tonnes(self) -> int:
        """What is allocated and not yet issued (0 when issuance is ahead of the allocation)."""
        return max(0, self.allocated_tonnes - self.issued_tonnes)

    @property
    def obligation_tonnes(self) -> int:
        """The verified emissions (R-C1); 0 while none are recorded."""
        return self.verified_tonnes or 0

    @property
    def shortfall_tonnes(self) -> int:
        """What remains to surrender to meet the obligation."""
        return max(0, self.obligation_tonnes - self.surrendered_tonnes)


@dataclass
class AllocationState:
    """Everything the allocation service decides against, folded from its events."""

    entities: dict[str, Entity] = field(default_factory=dict)
    entity_ids: list[str] = field(default_factory=list)  # sorted, for paging
    entity_by_account: dict[str, str] = field(default_factory=dict)
    years: dict[int, str] = field(default_factory=dict)  # year → instrument
    records: dict[tuple[str, int], ComplianceRecord] = field(default_factory=dict)
    recorded_years: set[int] = field(default_factory=set)  # years some record names

    def entity(self, entity_id: str) -> Entity:
        """The entity registered as ``entity_id``; ENTITY_NOT_FOUND if there is none."""
        found = self.entities.get(entity_id)
        if found is None:
            raise EntityNotFoundError(
                f"no entity {entity_id!r} is registered", metadata={"entity_id": entity_id}
            )
        return found

    def instrument(self, year: int) -> str:
        """The instrument of an open year; YEAR_NOT_OPEN if it is not open."""
        instrument = self.years.get(year)
        if instrument is None:
            raise YearNotOpenError(
                f"compliance year {year} is not open", metadata={"year": str(year)}
            )
        return instrument

    def record(self, entity_id: str, year: int) -> ComplianceRecord:
        """The entity's record for the year (a fresh, unstored one if nothing happened yet)."""
        return self.records.get((entity_id, year)) or ComplianceRecord()

    def record_for_update(self, entity_id: str, year: int) -> ComplianceRecord:
        """The entity's stored record for the year, created when absent (for ``evolve``)."""
        self.recorded_years.add(year)
        return self.records.setdefault((entity_id, year), ComplianceRecord())

    def add_entity(self, entity: Entity) -> None:
        """Index a newly registered entity (for ``evolve``)."""
        self.entities[entity.entity_id] = entity
        self.entity_by_account[entity.account_id] = entity.entity_id
        bisect.insort(self.entity_ids, entity.entity_id)

    def has_year(self, year: int) -> bool:
        """Whether anything is known of ``year``: it is open, or a surrender named it."""
        return year in self.years or year in self.recorded_years
