"""Registry surrenders drive compliance status; a restart rebuilds everything from the log."""

from __future__ import annotations

import grpc
import pytest
from cqx.allocation.v1 import allocation_service_pb2 as api
from cqx.allocation.v1 import events_pb2

from cqx_bus import KafkaAccess
from cqx_grpc import error_info
from tests.component.allocation.support import (
    Allocation,
    allocation_service,
    eventually,
    publish,
    published,
    rid,
    surrender_envelope,
)
from tests.support.service_harness import settings_for

A = events_pb2.COMPLIANCE_STATUS_A
B = events_pb2.COMPLIANCE_STATUS_B


async def _covered_entity(s: Allocation, entity_id: str, year: int, verified: int) -> None:
    await s.stub.RegisterEntity(api.RegisterEntityRequest(
        request_id=rid(), entity_id=entity_id, account_id=f"acct-{entity_id}", name="Plant",
        sector="power", province="Shanxi"))  # fmt: skip
    await s.stub.OpenComplianceYear(api.OpenComplianceYearRequest(request_id=rid(), year=year))
    await s.stub.RecordVerifiedEmissions(api.RecordVerifiedEmissionsRequest(
        request_id=rid(), entity_id=entity_id, year=year, verified_tonnes=verified))  # fmt: skip


async def _compliance(s: Allocation, entity_id: str, year: int) -> api.ComplianceRecord:
    reply = await s.stub.GetComplianceStatus(api.GetComplianceStatusRequest(
        entity_id=entity_id, year=year))  # fmt: skip
    return reply.compliance


async def test_r_c1_surrenders_in_the_registry_make_an_entity_compliant_exactly_once(
    database_url: str, kafka_admin: KafkaAccess, unique_name: str
) -> None:
    settings = settings_for("allocation", database_url, kafka_admin, unique_name)
    async with allocation_service(settings) as s:
        await _covered_entity(s, "p1", 2024, verified=1000)
        part, rest = (
            surrender_envelope("acct-p1", 600, 2024),
            surrender_envelope("acct-p1", 400, 2024),
        )
        await publish(settings, part)

        async def surrendered(tonnes: int) -> bool:
            return (await _compliance(s, "p1", 2024)).surrendered_tonnes == tonnes

        await eventually(lambda: surrendered(600), within=30)
        assert (await _compliance(s, "p1", 2024)).status == B
        stray = surrender_envelope("acct-nobody", 75, 2024)
        await publish(settings, rest, rest, stray)  # `rest` delivered twice
        await eventually(lambda: _has(s, "unattributed-acct-nobody"))
        record = await _compliance(s, "p1", 2024)
        assert (record.status, record.surrendered_tonnes, record.shortfall_tonnes) == (A, 1000, 0)
        assert await s.event_types("entity-p1") == [
            "EntityRegistered", "EmissionsVerified", "ComplianceStatusChanged",
            "SurrenderRecorded", "SurrenderRecorded", "ComplianceStatusChanged",
        ]  # fmt: skip
        (unattributed,) = await s.store.read_stream("unattributed-acct-nobody")
        kept = events_pb2.SurrenderUnattributed.FromString(unattributed.payload)
        assert (kept.quantity_tonnes, kept.reason, kept.source_event_id) == (
            75, "ACCOUNT_NOT_LINKED", stray.event_id,
        )  # fmt: skip
        changed = await published(settings, lambda e: _status_is(e, A))
        assert changed.metadata["causation_id"] == rest.event_id


def _status_is(envelope: object, status: int) -> bool:
    if getattr(envelope, "event_type", "") != "cqx.allocation.v1.ComplianceStatusChanged":
        return False
    payload: bytes = getattr(envelope, "payload", b"")
    return events_pb2.ComplianceStatusChanged.FromString(payload).status == status


async def _has(s: Allocation, stream: str) -> bool:
    return bool(await s.store.read_stream(stream))


async def test_a_restarted_service_rebuilds_its_state_and_remembers_its_answers(
    database_url: str, kafka_admin: KafkaAccess, unique_name: str
) -> None:
    settings = settings_for("allocation", database_url, kafka_admin, unique_name)
    issue = api.IssueAllocationRequest(request_id=rid(), entity_id="p2", year=2021)
    async with allocation_service(settings) as s:
        await _covered_entity(s, "p2", 2021, verified=800)
        await s.stub.SetAllocation(api.SetAllocationRequest(
            request_id=rid(), entity_id="p2", year=2021, quantity_tonnes=700))  # fmt: skip
        first = await s.stub.IssueAllocation(issue)
        before = await _compliance(s, "p2", 2021)
    async with allocation_service(settings) as s:
        assert await _compliance(s, "p2", 2021) == before
        assert await s.stub.IssueAllocation(issue) == first
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await s.stub.IssueAllocation(
                api.IssueAllocationRequest(request_id=rid(), entity_id="p2", year=2021)
            )
        info = error_info(refused.value)
        assert info is not None
        assert info.reason == "NOTHING_TO_ISSUE"
        assert before.issued_tonnes == 700
        assert before.status == B
