"""Allocation as a client sees it: covered entities, compliance years, allocations, status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from cqx.allocation.v1 import allocation_service_pb2 as api
from cqx.allocation.v1 import allocation_service_pb2_grpc as api_grpc
from cqx.allocation.v1 import events_pb2 as allocation_events

from cqx_sdk.channels import ServiceChannel
from cqx_sdk.paging import DEFAULT_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class Entity:
    """A covered entity (key emission unit) and the registry account it holds allowances in."""

    entity_id: str
    account_id: str
    name: str
    sector: str
    province: str

    @classmethod
    def from_proto(cls, m: api.Entity) -> Entity:
        """From its message."""
        return cls(m.entity_id, m.account_id, m.name, m.sector, m.province)


@dataclass(frozen=True, slots=True)
class ComplianceYear:
    """A compliance year and its instrument (``CEA-<year>``)."""

    year: int
    instrument: str


@dataclass(frozen=True, slots=True)
class EntityAllocation:
    """An entity's allocation for one year: what is set, and how much of it was issued."""

    entity_id: str
    year: int
    instrument: str
    allocated_tonnes: int
    issued_tonnes: int
    unissued_tonnes: int

    @classmethod
    def from_proto(cls, m: api.Allocation) -> EntityAllocation:
        """From its message."""
        return cls(
            m.entity_id,
            m.year,
            m.instrument,
            m.allocated_tonnes,
            m.issued_tonnes,
            m.unissued_tonnes,
        )


@dataclass(frozen=True, slots=True)
class Issuance:
    """What one IssueAllocation issued (0 when everything allocated was issued already)."""

    issuance_id: str
    quantity_tonnes: int
    allocation: EntityAllocation


@dataclass(frozen=True, slots=True)
class ComplianceRecord:
    """An entity's standing for one compliance year (R-C1); ``status`` is the EU code letter:
    A compliant, B short, C emissions missing, D/E corrected late, X suspended."""

    entity_id: str
    account_id: str
    year: int
    instrument: str
    status: str
    emissions_verified: bool
    obligation_tonnes: int
    surrendered_tonnes: int
    shortfall_tonnes: int
    allocated_tonnes: int
    issued_tonnes: int

    @classmethod
    def from_proto(cls, m: api.ComplianceRecord) -> ComplianceRecord:
        """From its message."""
        name = allocation_events.ComplianceStatus.Name(m.status)
        return cls(
            m.entity_id,
            m.account_id,
            m.year,
            m.instrument,
            name.removeprefix("COMPLIANCE_STATUS_"),
            m.emissions_verified,
            m.obligation_tonnes,
            m.surrendered_tonnes,
            m.shortfall_tonnes,
            m.allocated_tonnes,
            m.issued_tonnes,
        )


class AllocationClient:
    """The allocation service's RPCs as what the competent authority does
    (``client.allocation``)."""

    def __init__(self, channel: ServiceChannel) -> None:
        self._channel = channel
        self._stub = api_grpc.AllocationServiceStub(channel.channel)

    async def register_entity(
        self,
        entity_id: str,
        account_id: str,
        name: str,
        sector: str,
        province: str,
        *,
        request_id: str | None = None,
    ) -> Entity:
        """Register a covered entity with the registry account opened for it."""
        reply: api.RegisterEntityResponse = await self._channel.mutate(
            self._stub.RegisterEntity,
            api.RegisterEntityRequest,
            request_id,
            entity_id=entity_id,
            account_id=account_id,
            name=name,
            sector=sector,
            province=province,
        )
        return Entity.from_proto(reply.entity)

    async def get_entity(self, entity_id: str) -> Entity:
        """One covered entity."""
        request = api.GetEntityRequest(entity_id=entity_id)
        reply: api.GetEntityResponse = await self._channel.call(self._stub.GetEntity, request)
        return Entity.from_proto(reply.entity)

    def list_entities(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> AsyncIterator[Entity]:
        """Every covered entity, in entity id order."""
        return self._channel.paged(
            self._stub.ListEntities,
            api.ListEntitiesRequest,
            "entities",
            Entity.from_proto,
            page_size=page_size,
        )

    async def open_compliance_year(
        self, year: int, *, request_id: str | None = None
    ) -> ComplianceYear:
        """Open a compliance year and its instrument."""
        reply: api.OpenComplianceYearResponse = await self._channel.mutate(
            self._stub.OpenComplianceYear, api.OpenComplianceYearRequest, request_id, year=year
        )
        return ComplianceYear(reply.compliance_year.year, reply.compliance_year.instrument)

    async def set_allocation(
        self, entity_id: str, year: int, quantity: int, *, request_id: str | None = None
    ) -> EntityAllocation:
        """Set (or reset) an entity's allocation for an open year."""
        reply: api.SetAllocationResponse = await self._channel.mutate(
            self._stub.SetAllocation,
            api.SetAllocationRequest,
            request_id,
            entity_id=entity_id,
            year=year,
            quantity_tonnes=quantity,
        )
        return EntityAllocation.from_proto(reply.allocation)

    async def issue_allocation(
        self, entity_id: str, year: int, *, request_id: str | None = None
    ) -> Issuance:
        """Issue what is allocated and not yet issued; the registry credits the account
        when the event reaches it."""
        reply: api.IssueAllocationResponse = await self._channel.mutate(
            self._stub.IssueAllocation,
            api.IssueAllocationRequest,
            request_id,
            entity_id=entity_id,
            year=year,
        )
        allocation = EntityAllocation.from_proto(reply.allocation)
        return Issuance(reply.issuance_id, reply.quantity_tonnes, allocation)

    async def record_verified_emissions(
        self, entity_id: str, year: int, verified_tonnes: int, *, request_id: str | None = None
    ) -> ComplianceRecord:
        """Record (or correct) an entity's verified emissions: its obligation for the year."""
        reply: api.RecordVerifiedEmissionsResponse = await self._channel.mutate(
            self._stub.RecordVerifiedEmissions,
            api.RecordVerifiedEmissionsRequest,
            request_id,
            entity_id=entity_id,
            year=year,
            verified_tonnes=verified_tonnes,
        )
        return ComplianceRecord.from_proto(reply.compliance)

    async def compliance_status(self, entity_id: str, year: int) -> ComplianceRecord:
        """An entity's compliance for one year."""
        request = api.GetComplianceStatusRequest(entity_id=entity_id, year=year)
        reply: api.GetComplianceStatusResponse = await self._channel.call(
            self._stub.GetComplianceStatus, request
        )
        return ComplianceRecord.from_proto(reply.compliance)

    def list_compliance_statuses(
        self, year: int, *, page_size: int = DEFAULT_PAGE_SIZE
    ) -> AsyncIterator[ComplianceRecord]:
        """Every registered entity's compliance for one year, in entity id order."""
        return self._channel.paged(
            self._stub.ListComplianceStatuses,
            api.ListComplianceStatusesRequest,
            "compliance",
            ComplianceRecord.from_proto,
            year=year,
            page_size=page_size,
        )
