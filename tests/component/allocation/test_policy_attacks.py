"""Attacks on allocation: a member doing the operator's work (registering entities, opening
a year, allocating and issuing, recording emissions) or reading another's compliance. Each is
refused with PERMISSION_DENIED and a reason, and records nothing."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
from cqx.allocation.v1 import allocation_service_pb2 as api
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.registry.v1 import events_pb2 as registry

from cqx_bus import KafkaAccess
from cqx_grpc import error_info
from tests.component.allocation.support import Allocation, allocation_service, eventually, publish
from tests.support import pki
from tests.support.service_harness import settings_for

VICTIM, MALLORY = "victim-1", "mallory-1"


def _opened(account: str) -> EventEnvelope:
    """The registry's AccountOpened of ``account``, for a participant of the same id."""
    opened = registry.AccountOpened(
        account_id=account,
        name=account,
        participant_id=account,
        kind=registry.ACCOUNT_KIND_COVERED_ENTITY,
    )
    return EventEnvelope(
        source="registry", position=1, stream_id=f"account-{account}", stream_version=1,
        event_id=str(uuid.uuid4()), event_type=opened.DESCRIPTOR.full_name,
        payload=opened.SerializeToString(),
    )  # fmt: skip


@pytest.fixture(scope="module")
async def service(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[Allocation]:
    namespace = f"t_{secrets.token_hex(4)}"
    async with allocation_service(
        settings_for("allocation", database_url, kafka_admin, namespace)
    ) as running:
        await publish(running.settings, _opened(VICTIM), _opened(MALLORY))

        async def known() -> bool:
            return bool(await running.store.read_stream(f"directory-{MALLORY}"))

        await eventually(known, within=90)
        await running.stub.RegisterEntity(api.RegisterEntityRequest(
            request_id="e-1", entity_id=VICTIM, account_id=VICTIM, name="Victim Power",
            sector="power", province="Shanxi"))  # fmt: skip
        yield running


def _refusal(error: grpc.aio.AioRpcError) -> tuple[grpc.StatusCode, str]:
    info = error_info(error)
    return error.code(), info.reason if info else ""


async def test_a_member_does_no_operators_work_and_reads_only_its_own(service: Allocation) -> None:
    mallory = service.stub.as_(pki.member(MALLORY))
    head = await service.head()
    attacks = {
        "register an entity": mallory.RegisterEntity(api.RegisterEntityRequest(
            request_id="m-1", entity_id="fake", account_id=MALLORY, name="Fake",
            sector="power", province="Shanxi")),
        "open a year": mallory.OpenComplianceYear(
            api.OpenComplianceYearRequest(request_id="m-2", year=2030)),
        "allocate to itself": mallory.SetAllocation(api.SetAllocationRequest(
            request_id="m-3", entity_id=VICTIM, year=2030, quantity_tonnes=10**9)),
        "issue": mallory.IssueAllocation(
            api.IssueAllocationRequest(request_id="m-4", entity_id=VICTIM, year=2030)),
        "record emissions": mallory.RecordVerifiedEmissions(api.RecordVerifiedEmissionsRequest(
            request_id="m-5", entity_id=VICTIM, year=2030, verified_tonnes=0)),
        "read the victim's entity": mallory.GetEntity(api.GetEntityRequest(entity_id=VICTIM)),
        "read the victim's compliance": mallory.GetComplianceStatus(
            api.GetComplianceStatusRequest(entity_id=VICTIM, year=2030)),
        "list every entity": mallory.ListEntities(api.ListEntitiesRequest()),
    }  # fmt: skip
    outcomes = {}
    for name, call in attacks.items():
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            await call
        outcomes[name] = _refusal(failure.value)
    denied = {n for n, (code, _) in outcomes.items() if code == grpc.StatusCode.PERMISSION_DENIED}
    assert denied == set(attacks), outcomes
    assert outcomes["read the victim's entity"][1] == "NOT_YOURS"
    assert outcomes["issue"][1] == "ROLE_NOT_ALLOWED"
    assert await service.head() == head
    victim = service.stub.as_(pki.member(VICTIM))
    own = await victim.GetEntity(api.GetEntityRequest(entity_id=VICTIM))
    assert own.entity.account_id == VICTIM
