"""The application on an in-memory store: streams, idempotent retries, consumers, rebuild."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence

import pytest
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.registry.v1 import events_pb2 as registry_pb2

from cqx_allocation.application.app import AllocationApplication
from cqx_allocation.bootstrap import assemble
from cqx_allocation.domain.commands import (
    IssueAllocation,
    OpenComplianceYear,
    RecordVerifiedEmissions,
    RegisterEntity,
    SetAllocation,
)
from cqx_allocation.domain.errors import NothingToIssueError
from cqx_allocation.domain.events import AllocationIssued, ComplianceStatus, Event
from cqx_eventstore import InMemoryEventStore
from tests.support.assembled import assembled

META = {"request_id": "r", "correlation_id": "c"}


def _names(events: Sequence[Event]) -> bytes:
    return ",".join(type(e).__name__ for e in events).encode()


def _issued(events: Sequence[Event]) -> bytes:
    (issued,) = events
    assert isinstance(issued, AllocationIssued)
    return f"{issued.issuance_id}:{issued.quantity_tonnes}".encode()


@pytest.fixture
async def store() -> InMemoryEventStore:
    return InMemoryEventStore()


@pytest.fixture
async def app(store: InMemoryEventStore) -> AsyncIterator[AllocationApplication]:
    async with assembled(assemble, "allocation", store) as application:
        yield application


async def _seed(app: AllocationApplication) -> None:
    await app.execute("r1", RegisterEntity("p1", "acct-1", "Plant", "power", "Shanxi"), _names,
                      META)  # fmt: skip
    await app.execute("r2", OpenComplianceYear(2024), _names, META)
    await app.execute("r3", SetAllocation("p1", 2024, 900), _names, META)


async def test_events_go_to_the_entity_and_year_streams(
    app: AllocationApplication, store: InMemoryEventStore
) -> None:
    await _seed(app)
    assert [e.event_type for e in await store.read_stream("entity-p1")] == [
        "cqx.allocation.v1.EntityRegistered", "cqx.allocation.v1.AllocationSet",
    ]  # fmt: skip
    (opened,) = await store.read_stream("year-2024")
    assert opened.event_type == "cqx.allocation.v1.ComplianceYearOpened"
    assert opened.metadata == META


async def test_a_retried_issue_gets_the_first_answer_and_issues_once(
    app: AllocationApplication, store: InMemoryEventStore
) -> None:
    await _seed(app)
    first = await app.execute("r4", IssueAllocation("p1", 2024, app.new_id()), _issued, META)
    again = await app.execute("r4", IssueAllocation("p1", 2024, app.new_id()), _issued, META)
    assert first == again
    assert first.endswith(b":900")
    issued = [e for e in await store.read_stream("entity-p1") if "Issued" in e.event_type]
    assert len(issued) == 1
    with pytest.raises(NothingToIssueError):
        await app.execute("r5", IssueAllocation("p1", 2024, app.new_id()), _issued, META)


async def test_a_registry_surrender_is_recorded_with_its_cause(
    app: AllocationApplication,
) -> None:
    await _seed(app)
    await app.execute("r4", RecordVerifiedEmissions("p1", 2024, 300), _names, META)
    surrendered = registry_pb2.AllowancesSurrendered(
        surrender_id="s1", account_id="acct-1", instrument="CEA-2024", quantity_tonnes=300,
        compliance_year=2024,
    )  # fmt: skip
    envelope = EventEnvelope(
        source="registry", position=9, stream_id="account-acct-1", stream_version=3,
        event_id=str(uuid.uuid4()), event_type="cqx.registry.v1.AllowancesSurrendered",
        payload=surrendered.SerializeToString(), metadata={"correlation_id": "corr-s"},
    )  # fmt: skip
    unit = await app.on_foreign_event(envelope)
    (request,) = unit.requests
    assert request.stream_id == "entity-p1"
    assert [e.event_type.rsplit(".", 1)[1] for e in request.events] == [
        "SurrenderRecorded", "ComplianceStatusChanged",
    ]  # fmt: skip
    assert request.metadata["causation_id"] == envelope.event_id
    assert request.metadata["correlation_id"] == "corr-s"
    assert app.state.record("p1", 2024).status is ComplianceStatus.A


async def test_a_rebuild_from_the_log_equals_the_live_state(
    app: AllocationApplication, store: InMemoryEventStore
) -> None:
    await _seed(app)
    await app.execute("r4", IssueAllocation("p1", 2024, app.new_id()), _issued, META)
    await app.execute("r5", RecordVerifiedEmissions("p1", 2024, 1000), _names, META)
    async with assembled(assemble, "allocation", store) as fresh:
        assert fresh.state == app.state
        assert fresh.state.record("p1", 2024).status is ComplianceStatus.B


async def test_a_defect_after_the_state_changed_stops_the_service_rather_than_drift(
    app: AllocationApplication, store: InMemoryEventStore
) -> None:
    def broken(_: Sequence[Event]) -> bytes:
        raise RuntimeError("a defect in rendering the answer")

    with pytest.raises(RuntimeError):
        await app.execute("r1", OpenComplianceYear(2024), broken, META)
    assert app.journal.failed.is_set()  # the runtime stops; a restart rebuilds from the log
    assert (await store.head())[0] == 0
