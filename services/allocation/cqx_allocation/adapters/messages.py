"""The state's views as ``cqx.allocation.v1`` API messages."""

from __future__ import annotations

from cqx.allocation.v1 import allocation_service_pb2 as api

from cqx_allocation.adapters.codec import status_to_proto
from cqx_allocation.application.queries import EntityYear
from cqx_allocation.domain.state import Entity


def entity_message(entity: Entity) -> api.Entity:
    """An entity as the API shows it."""
    return api.Entity(
        entity_id=entity.entity_id,
        account_id=entity.account_id,
        name=entity.name,
        sector=entity.sector,
        province=entity.province,
    )


def allocation_message(view: EntityYear) -> api.Allocation:
    """An entity's allocation for a year as the API shows it."""
    record = view.record
    return api.Allocation(
        entity_id=view.entity.entity_id,
        year=view.year,
        instrument=view.instrument,
        allocated_tonnes=record.allocated_tonnes,
        issued_tonnes=record.issued_tonnes,
        unissued_tonnes=record.unissued_tonnes,
    )


def compliance_message(view: EntityYear) -> api.ComplianceRecord:
    """An entity's compliance for a year as the API shows it."""
    record = view.record
    return api.ComplianceRecord(
        entity_id=view.entity.entity_id,
        account_id=view.entity.account_id,
        year=view.year,
        instrument=view.instrument,
        status=status_to_proto(record.status),
        emissions_verified=record.verified_tonnes is not None,
        obligation_tonnes=record.obligation_tonnes,
        surrendered_tonnes=record.surrendered_tonnes,
        shortfall_tonnes=record.shortfall_tonnes,
        allocated_tonnes=record.allocated_tonnes,
        issued_tonnes=record.issued_tonnes,
    )
