"""The allocation service through its gRPC API: the cycle, bad input, retries, paging."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from cqx.allocation.v1 import allocation_service_pb2 as api
from cqx.allocation.v1 import events_pb2

from cqx_bus import KafkaAccess
from cqx_grpc import error_info
from tests.component.allocation.support import (
    Allocation,
    allocation_service,
    published,
    rid,
)
from tests.support.service_harness import settings_for

A = events_pb2.COMPLIANCE_STATUS_A
B = events_pb2.COMPLIANCE_STATUS_B
C = events_pb2.COMPLIANCE_STATUS_C
CODE = grpc.StatusCode


@pytest.fixture(scope="module")
async def service(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[Allocation]:
    name = f"t_{secrets.token_hex(4)}"
    async with allocation_service(settings_for("allocation", database_url, kafka_admin,
                                               name)) as running:  # fmt: skip
        yield running


async def _register(s: Allocation, entity_id: str, account_id: str) -> api.Entity:
    reply = await s.stub.RegisterEntity(api.RegisterEntityRequest(
        request_id=rid(), entity_id=entity_id, account_id=account_id, name=f"{entity_id} Power",
        sector="power", province="Shanxi"))  # fmt: skip
    return reply.entity


async def _open(s: Allocation, year: int) -> api.ComplianceYear:
    reply = await s.stub.OpenComplianceYear(api.OpenComplianceYearRequest(request_id=rid(),
                                                                          year=year))  # fmt: skip
    return reply.compliance_year


async def test_allocation_is_set_issued_and_published_for_the_registry(
    service: Allocation,
) -> None:
    entity = await _register(service, "datong-1", "acct-datong-1")
    assert (entity.entity_id, entity.account_id, entity.sector) == (
        "datong-1", "acct-datong-1", "power",
    )  # fmt: skip
    year = await _open(service, 2024)
    assert year.instrument == "CEA-2024"
    got = await service.stub.GetEntity(api.GetEntityRequest(entity_id="datong-1"))
    assert got.entity == entity
    set_reply = await service.stub.SetAllocation(api.SetAllocationRequest(
        request_id=rid(), entity_id="datong-1", year=2024, quantity_tonnes=120_000))  # fmt: skip
    assert set_reply.allocation.unissued_tonnes == 120_000
    issued = await service.stub.IssueAllocation(api.IssueAllocationRequest(
        request_id=rid(), entity_id="datong-1", year=2024))  # fmt: skip
    assert issued.quantity_tonnes == 120_000
    assert issued.issuance_id
    assert (issued.allocation.issued_tonnes, issued.allocation.unissued_tonnes) == (120_000, 0)
    event = await published(
        service.settings, lambda e: e.event_type == "cqx.allocation.v1.AllocationIssued"
    )
    assert (event.source, event.stream_id) == ("allocation", "entity-datong-1")
    message = events_pb2.AllocationIssued.FromString(event.payload)
    assert (message.issuance_id, message.account_id, message.instrument,
            message.quantity_tonnes) == (issued.issuance_id, "acct-datong-1", "CEA-2024",
                                         120_000)  # fmt: skip


async def test_r_c1_verified_emissions_set_the_obligation_and_status(
    service: Allocation,
) -> None:
    await _register(service, "yangquan-1", "acct-yangquan-1")
    await _open(service, 2025)
    before = await service.stub.GetComplianceStatus(api.GetComplianceStatusRequest(
        entity_id="yangquan-1", year=2025))  # fmt: skip
    assert (before.compliance.status, before.compliance.emissions_verified) == (C, False)
    reply = await service.stub.RecordVerifiedEmissions(api.RecordVerifiedEmissionsRequest(
        request_id=rid(), entity_id="yangquan-1", year=2025, verified_tonnes=90_000))  # fmt: skip
    record = reply.compliance
    assert (record.status, record.obligation_tonnes, record.shortfall_tonnes) == (B, 90_000, 90_000)
    assert record.instrument == "CEA-2025"
    listed = await service.stub.ListComplianceStatuses(api.ListComplianceStatusesRequest(
        year=2025, page_size=500))  # fmt: skip
    mine = [c for c in listed.compliance if c.entity_id == "yangquan-1"]
    assert mine == [record]


async def test_a_retried_request_gets_the_first_answer_and_issues_once(
    service: Allocation,
) -> None:
    await _register(service, "shuozhou-1", "acct-shuozhou-1")
    await _open(service, 2026)
    await service.stub.SetAllocation(api.SetAllocationRequest(
        request_id=rid(), entity_id="shuozhou-1", year=2026, quantity_tonnes=500))  # fmt: skip
    issue = api.IssueAllocationRequest(request_id=rid(), entity_id="shuozhou-1", year=2026)
    first = await service.stub.IssueAllocation(issue)
    second = await service.stub.IssueAllocation(issue)
    assert second == first
    types = await service.event_types("entity-shuozhou-1")
    assert types.count("AllocationIssued") == 1
    retry_open = api.OpenComplianceYearRequest(request_id=rid(), year=2027)
    await service.stub.OpenComplianceYear(retry_open)
    assert (await service.stub.OpenComplianceYear(retry_open)).compliance_year.year == 2027
    with pytest.raises(grpc.aio.AioRpcError) as refused:  # same year, new request: refused
        await _open(service, 2027)
    assert _status(refused.value) == (CODE.ALREADY_EXISTS, "YEAR_ALREADY_OPEN")


def _status(error: grpc.aio.AioRpcError) -> tuple[grpc.StatusCode, str]:
    info = error_info(error)
    return error.code(), info.reason if info else ""


BAD: list[tuple[str, str, dict[str, Any], CODE, str]] = [
    ("RegisterEntity", "RegisterEntityRequest", {"entity_id": "x"}, CODE.INVALID_ARGUMENT,
     "REQUEST_ID_MISSING"),
    ("RegisterEntity", "RegisterEntityRequest", {"request_id": "?", "entity_id": "bad id",
     "account_id": "a", "name": "n", "sector": "power", "province": "p"},
     CODE.INVALID_ARGUMENT, "ENTITY_ID_INVALID"),
    ("RegisterEntity", "RegisterEntityRequest", {"request_id": "?", "entity_id": "fresh",
     "name": "n", "sector": "power", "province": "p"}, CODE.INVALID_ARGUMENT,
     "ACCOUNT_ID_MISSING"),
    ("RegisterEntity", "RegisterEntityRequest", {"request_id": "?", "entity_id": "known-1",
     "account_id": "a-new", "name": "n", "sector": "power", "province": "p"},
     CODE.ALREADY_EXISTS, "ENTITY_ALREADY_EXISTS"),
    ("RegisterEntity", "RegisterEntityRequest", {"request_id": "?", "entity_id": "fresh",
     "account_id": "acct-known-1", "name": "n", "sector": "power", "province": "p"},
     CODE.ALREADY_EXISTS, "ACCOUNT_ALREADY_LINKED"),
    ("GetEntity", "GetEntityRequest", {"entity_id": "nobody"}, CODE.NOT_FOUND,
     "ENTITY_NOT_FOUND"),
    ("GetEntity", "GetEntityRequest", {}, CODE.INVALID_ARGUMENT, "ENTITY_ID_MISSING"),
    ("ListEntities", "ListEntitiesRequest", {"page_size": 501}, CODE.INVALID_ARGUMENT,
     "PAGE_SIZE_TOO_LARGE"),
    ("ListEntities", "ListEntitiesRequest", {"page_token": "garbage"}, CODE.INVALID_ARGUMENT,
     "PAGE_TOKEN_INVALID"),
    ("OpenComplianceYear", "OpenComplianceYearRequest", {"request_id": "?", "year": 2018},
     CODE.INVALID_ARGUMENT, "YEAR_OUT_OF_RANGE"),
    ("SetAllocation", "SetAllocationRequest", {"request_id": "?", "entity_id": "known-1",
     "year": 2090, "quantity_tonnes": 5}, CODE.FAILED_PRECONDITION, "YEAR_NOT_OPEN"),
    ("SetAllocation", "SetAllocationRequest", {"request_id": "?", "entity_id": "known-1",
     "year": 2030, "quantity_tonnes": -5}, CODE.INVALID_ARGUMENT, "VALUE_OUT_OF_RANGE"),  # the edge
    ("SetAllocation", "SetAllocationRequest", {"request_id": "?", "entity_id": "nobody",
     "year": 2030, "quantity_tonnes": 5}, CODE.NOT_FOUND, "ENTITY_NOT_FOUND"),
    ("IssueAllocation", "IssueAllocationRequest", {"request_id": "?", "entity_id": "known-1",
     "year": 2030}, CODE.FAILED_PRECONDITION, "NOTHING_TO_ISSUE"),
    ("RecordVerifiedEmissions", "RecordVerifiedEmissionsRequest", {"request_id": "?",
     "entity_id": "known-1", "year": 2030, "verified_tonnes": -1}, CODE.INVALID_ARGUMENT,
     "VALUE_OUT_OF_RANGE"),  # refused at the edge (docs/api-bounds.md)
    ("GetComplianceStatus", "GetComplianceStatusRequest", {"entity_id": "known-1",
     "year": 2091}, CODE.FAILED_PRECONDITION, "YEAR_NOT_OPEN"),
    ("ListComplianceStatuses", "ListComplianceStatusesRequest", {"year": 2100},
     CODE.INVALID_ARGUMENT, "YEAR_OUT_OF_RANGE"),
]  # fmt: skip


async def test_bad_requests_get_a_status_and_reason_and_record_nothing(
    service: Allocation,
) -> None:
    await _register(service, "known-1", "acct-known-1")
    await _open(service, 2030)
    head = await service.head()
    for rpc, request_type, fields, code, reason in BAD:
        if fields.get("request_id") == "?":
            fields = {**fields, "request_id": rid()}
        request = getattr(api, request_type)(**fields)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await getattr(service.stub, rpc)(request)
        assert _status(refused.value) == (code, reason), rpc
    assert await service.head() == head


async def test_entities_are_listed_in_pages_in_id_order(service: Allocation) -> None:
    wanted = [f"page-{i:02d}" for i in range(7)]
    for entity_id in reversed(wanted):
        await _register(service, entity_id, f"acct-{entity_id}")
    seen: list[str] = []
    token = ""
    while True:
        request = api.ListEntitiesRequest(page_size=3, page_token=token)
        reply = await service.stub.ListEntities(request)
        assert len(reply.entities) <= 3
        seen += [e.entity_id for e in reply.entities]
        token = reply.next_page_token
        if not token:
            break
    assert [e for e in seen if e.startswith("page-")] == wanted
    assert seen == sorted(seen)
