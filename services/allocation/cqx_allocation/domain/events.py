"""Events: what happened in the allocation cycle. Field names are those of events.proto."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ComplianceStatus(Enum):
    """The EU status codes (DOMAIN.md); only A, B and C are reached for now."""

    A = "A"  # compliant: surrendered ≥ obligation
    B = "B"  # short
    C = "C"  # verified emissions missing
    D = "D"  # corrected late and short
    E = "E"  # corrected late and compliant
    X = "X"  # process suspended


@dataclass(frozen=True)
class EntityRegistered:
    """A covered entity was registered, linked to its registry account."""

    entity_id: str
    account_id: str
    name: str
    sector: str
    province: str


@dataclass(frozen=True)
class ComplianceYearOpened:
    """A compliance year was opened; its allowances are ``instrument``."""

    year: int
    instrument: str


@dataclass(frozen=True)
class AllocationSet:
    """An entity's allocation for a year was set to ``quantity_tonnes``."""

    entity_id: str
    year: int
    quantity_tonnes: int


@dataclass(frozen=True)
class AllocationIssued:
    """Allowances to be created in the entity's registry account (the registry applies it)."""

    issuance_id: str
    entity_id: str
    account_id: str
    year: int
    instrument: str
    quantity_tonnes: int


@dataclass(frozen=True)
class EmissionsVerified:
    """An entity's verified emissions for a year: its obligation (R-C1)."""

    entity_id: str
    year: int
    verified_tonnes: int


@dataclass(frozen=True)
class SurrenderRecorded:
    """A registry surrender counted against the entity's obligation for ``year``."""

    entity_id: str
    year: int
    instrument: str
    quantity_tonnes: int
    source_event_id: str


@dataclass(frozen=True)
class ComplianceStatusChanged:
    """An entity's compliance status for a year changed."""

    entity_id: str
    year: int
    status: ComplianceStatus
    surrendered_tonnes: int
    obligation_tonnes: int


@dataclass(frozen=True)
class SurrenderUnattributed:
    """A registry surrender no entity's obligation could take; kept, never silently lost."""

    account_id: str
    instrument: str
    quantity_tonnes: int
    source_event_id: str
    compliance_year: int
    reason: str
    entity_id: str


Event = (
    EntityRegistered
    | ComplianceYearOpened
    | AllocationSet
    | AllocationIssued
    | EmissionsVerified
    | SurrenderRecorded
    | ComplianceStatusChanged
    | SurrenderUnattributed
)

EVENT_TYPES: tuple[type[Event], ...] = (
    EntityRegistered,
    ComplianceYearOpened,
    AllocationSet,
    AllocationIssued,
    EmissionsVerified,
    SurrenderRecorded,
    ComplianceStatusChanged,
    SurrenderUnattributed,
)
