"""The gRPC servicer: API messages to commands and queries, their results to messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cqx.allocation.v1 import allocation_service_pb2 as api
from cqx.allocation.v1 import allocation_service_pb2_grpc as api_grpc

from cqx_allocation.adapters.messages import (
    allocation_message,
    compliance_message,
    entity_message,
)
from cqx_allocation.application import queries
from cqx_allocation.application.app import AllocationApplication
from cqx_allocation.domain.commands import (
    IssueAllocation,
    OpenComplianceYear,
    RecordVerifiedEmissions,
    RegisterEntity,
    SetAllocation,
)
from cqx_allocation.domain.events import AllocationIssued, Event
from cqx_service.servicer import ServicerBase

SERVICE_NAME: str = api.DESCRIPTOR.services_by_name["AllocationService"].full_name
Context = Any  # grpc.aio.ServicerContext (grpc ships no type stubs)


class AllocationServicer(ServicerBase[AllocationApplication], api_grpc.AllocationServiceServicer):
    """``cqx.allocation.v1.AllocationService`` over an :class:`AllocationApplication`."""

    async def RegisterEntity(  # noqa: N802 (gRPC's method names)
        self, request: api.RegisterEntityRequest, context: Context
    ) -> api.RegisterEntityResponse:
        """Register a covered entity."""
        command = RegisterEntity(
            request.entity_id, request.account_id, request.name, request.sector,
            request.province,
        )  # fmt: skip

        def render(_: Sequence[Event]) -> bytes:
            entity = self.app.state.entity(request.entity_id)
            return api.RegisterEntityResponse(entity=entity_message(entity)).SerializeToString()

        answer = await self.execute(request, command, render)
        return api.RegisterEntityResponse.FromString(answer)

    async def GetEntity(  # noqa: N802
        self, request: api.GetEntityRequest, context: Context
    ) -> api.GetEntityResponse:
        """One entity."""
        entity = queries.get_entity(self.app.state, request.entity_id)
        return api.GetEntityResponse(entity=entity_message(entity))

    async def ListEntities(  # noqa: N802
        self, request: api.ListEntitiesRequest, context: Context
    ) -> api.ListEntitiesResponse:
        """A page of entities."""
        found = queries.list_entities(self.app.state, request.page_size, request.page_token)
        return api.ListEntitiesResponse(
            entities=[entity_message(e) for e in found.entities],
            next_page_token=found.next_page_token,
        )

    async def OpenComplianceYear(  # noqa: N802
        self, request: api.OpenComplianceYearRequest, context: Context
    ) -> api.OpenComplianceYearResponse:
        """Open a compliance year."""

        def render(_: Sequence[Event]) -> bytes:
            year = api.ComplianceYear(
                year=request.year, instrument=self.app.state.instrument(request.year)
            )
            return api.OpenComplianceYearResponse(compliance_year=year).SerializeToString()

        command = OpenComplianceYear(request.year)
        answer = await self.execute(request, command, render)
        return api.OpenComplianceYearResponse.FromString(answer)

    async def SetAllocation(  # noqa: N802
        self, request: api.SetAllocationRequest, context: Context
    ) -> api.SetAllocationResponse:
        """Set an entity's allocation for a year."""

        def render(_: Sequence[Event]) -> bytes:
            view = queries.entity_year(self.app.state, request.entity_id, request.year)
            return api.SetAllocationResponse(
                allocation=allocation_message(view)
            ).SerializeToString()

        command = SetAllocation(request.entity_id, request.year, request.quantity_tonnes)
        answer = await self.execute(request, command, render)
        return api.SetAllocationResponse.FromString(answer)

    async def IssueAllocation(  # noqa: N802
        self, request: api.IssueAllocationRequest, context: Context
    ) -> api.IssueAllocationResponse:
        """Issue what is allocated and not yet issued."""

        def render(events: Sequence[Event]) -> bytes:
            (issued,) = (e for e in events if isinstance(e, AllocationIssued))
            view = queries.entity_year(self.app.state, request.entity_id, request.year)
            return api.IssueAllocationResponse(
                issuance_id=issued.issuance_id,
                quantity_tonnes=issued.quantity_tonnes,
                allocation=allocation_message(view),
            ).SerializeToString()

        command = IssueAllocation(request.entity_id, request.year, issuance_id=self.app.new_id())
        answer = await self.execute(request, command, render)
        return api.IssueAllocationResponse.FromString(answer)

    async def RecordVerifiedEmissions(  # noqa: N802
        self, request: api.RecordVerifiedEmissionsRequest, context: Context
    ) -> api.RecordVerifiedEmissionsResponse:
        """Record an entity's verified emissions for a year."""

        def render(_: Sequence[Event]) -> bytes:
            view = queries.entity_year(self.app.state, request.entity_id, request.year)
            return api.RecordVerifiedEmissionsResponse(
                compliance=compliance_message(view)
            ).SerializeToString()

        command = RecordVerifiedEmissions(request.entity_id, request.year, request.verified_tonnes)
        answer = await self.execute(request, command, render)
        return api.RecordVerifiedEmissionsResponse.FromString(answer)

    async def GetComplianceStatus(  # noqa: N802
        self, request: api.GetComplianceStatusRequest, context: Context
    ) -> api.GetComplianceStatusResponse:
        """An entity's compliance for a year."""
        view = queries.entity_year(self.app.state, request.entity_id, request.year)
        return api.GetComplianceStatusResponse(compliance=compliance_message(view))

    async def ListComplianceStatuses(  # noqa: N802
        self, request: api.ListComplianceStatusesRequest, context: Context
    ) -> api.ListComplianceStatusesResponse:
        """A page of one year's compliance records."""
        found = queries.list_compliance(
            self.app.state, request.year, request.page_size, request.page_token
        )
        return api.ListComplianceStatusesResponse(
            compliance=[compliance_message(v) for v in found.records],
            next_page_token=found.next_page_token,
        )
