"""Commands: what the authority (or a registry event) asks of the allocation domain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegisterEntity:
    """Register a covered entity with the registry account the operator opened for it."""

    entity_id: str
    account_id: str
    name: str
    sector: str
    province: str


@dataclass(frozen=True)
class OpenComplianceYear:
    """Open a compliance year and its instrument."""

    year: int


@dataclass(frozen=True)
class SetAllocation:
    """Set (or reset) an entity's allocation for an open year."""

    entity_id: str
    year: int
    quantity_tonnes: int


@dataclass(frozen=True)
class IssueAllocation:
    """Issue what is allocated and not yet issued, as issuance ``issuance_id``."""

    entity_id: str
    year: int
    issuance_id: str


@dataclass(frozen=True)
class RecordVerifiedEmissions:
    """Record (or correct) an entity's verified emissions for an open year."""

    entity_id: str
    year: int
    verified_tonnes: int


@dataclass(frozen=True)
class RecordSurrender:
    """Count a surrender the registry recorded (event ``source_event_id``) against its year."""

    account_id: str
    instrument: str
    quantity_tonnes: int
    compliance_year: int
    source_event_id: str


Command = (
    RegisterEntity
    | OpenComplianceYear
    | SetAllocation
    | IssueAllocation
    | RecordVerifiedEmissions
    | RecordSurrender
)
