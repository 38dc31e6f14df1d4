"""Participants through the gRPC API on real PostgreSQL and Kafka: register, get, list by page,
restrict and reinstate; R-A1, R-A2 and R-A5 refused with their reasons and nothing recorded;
the restriction published with every account id of the participant."""

from __future__ import annotations

import grpc
import pytest
from cqx.allocation.v1 import events_pb2 as allocation
from cqx.registry.v1 import events_pb2 as events
from cqx.registry.v1 import registry_service_pb2 as api

from cqx_bus import KafkaAccess
from cqx_grpc import error_info
from tests.component.registry.support import (
    CEA,
    Registry,
    envelope,
    publish,
    published,
    refusal,
    registry_service,
    rid,
)
from tests.support.service_harness import settings_for

KEU = events.PARTICIPANT_KIND_KEY_EMISSION_UNIT
EXCHANGE = events.PARTICIPANT_KIND_EXCHANGE
COVERED = events.ACCOUNT_KIND_COVERED_ENTITY


async def test_participants_register_restrict_and_reinstate(
    database_url: str, kafka_admin: KafkaAccess, unique_name: str
) -> None:
    settings = settings_for("registry", database_url, kafka_admin, unique_name)
    async with registry_service(settings) as registry:
        registry.stub.owners["shanxi-030-t"] = "shanxi-030"  # the member who acts for it
        await _registers_idempotently_and_lists_by_page(registry)
        await _R_A1_and_R_A2_refused_on_record_of_nothing(registry)
        await _R_A5_restriction_blocks_transfers_and_is_published(registry)
        await _bad_requests_record_nothing(registry)


def _open(account_id: str, kind: int, participant_id: str) -> api.OpenAccountRequest:
    return api.OpenAccountRequest(
        request_id=rid(), account_id=account_id, kind=kind, name=account_id,
        participant_id=participant_id,
    )  # fmt: skip


async def _registers_idempotently_and_lists_by_page(registry: Registry) -> None:
    request = api.RegisterParticipantRequest(
        request_id="reg-1", participant_id="shanxi-030", kind=KEU, name=" Datang Shanxi "
    )
    first = await registry.stub.RegisterParticipant(request)
    assert first.participant == api.Participant(
        participant_id="shanxi-030", kind=KEU, name="Datang Shanxi",
        status=api.PARTICIPANT_STATUS_ACTIVE,
    )  # fmt: skip
    head = await registry.head()
    assert await registry.stub.RegisterParticipant(request) == first  # the retry
    assert await registry.head() == head
    (recorded,) = await registry.app.store.read_stream("participant-shanxi-030")
    assert recorded.event_type == "cqx.registry.v1.ParticipantRegistered"
    await registry.stub.OpenAccount(_open("shanxi-030-t", COVERED, "shanxi-030"))
    got = await registry.stub.GetParticipant(api.GetParticipantRequest(participant_id="shanxi-030"))
    assert (list(got.participant.account_ids), got.participant.trading_account_id) == (
        ["shanxi-030-t"],
        "shanxi-030-t",
    )
    for participant_id in ("cqx-exchange", "b-unit"):
        await registry.register(participant_id, EXCHANGE if "cqx" in participant_id else KEU)
    first_page = await registry.stub.ListParticipants(api.ListParticipantsRequest(page_size=2))
    rest = await registry.stub.ListParticipants(
        api.ListParticipantsRequest(page_size=2, page_token=first_page.next_page_token)
    )
    ids = [p.participant_id for p in (*first_page.participants, *rest.participants)]
    assert (ids, rest.next_page_token) == (["b-unit", "cqx-exchange", "shanxi-030"], "")


async def _R_A1_and_R_A2_refused_on_record_of_nothing(registry: Registry) -> None:
    head = await registry.head()
    second = registry.stub.OpenAccount(_open("shanxi-030-2", COVERED, "shanxi-030"))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await second
    info = error_info(refused.value)
    assert info is not None
    assert (refused.value.code(), info.reason) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "TRADING_ACCOUNT_EXISTS",
    )
    assert info.metadata["trading_account_id"] == "shanxi-030-t"
    assert "shanxi-030-t" in (refused.value.details() or "")
    staff_trading = registry.stub.OpenAccount(_open("fees-t", COVERED, "cqx-exchange"))
    assert await refusal(staff_trading) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "STAFF_MAY_NOT_TRADE",
    )
    assert await registry.head() == head
    await registry.stub.OpenAccount(_open("fees", events.ACCOUNT_KIND_EXCHANGE, "cqx-exchange"))
    # A member credential for a staff body (the authority does not know kinds) owns the
    # account, so the policy lets it through; the registry's rule (R-A2) still refuses.
    registry.stub.owners["fees"] = "cqx-exchange"
    await _issue(registry, "fees", 100)
    head = await registry.head()
    move = api.MoveToTradingRequest(
        request_id=rid(), account_id="fees", instrument=CEA, quantity_tonnes=10
    )
    assert await refusal(registry.stub.MoveToTrading(move)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "STAFF_MAY_NOT_TRADE",
    )
    assert await registry.head() == head
    assert (await registry.holding("fees")).registry_tonnes == 100


async def _R_A5_restriction_blocks_transfers_and_is_published(registry: Registry) -> None:
    await _issue(registry, "shanxi-030-t", 500)
    await registry.open("b-unit-t")  # registers b-unit-t and opens its account
    restrict = api.RestrictParticipantRequest(
        request_id=rid(), participant_id="shanxi-030", reason="court order 17"
    )
    restricted = (await registry.stub.RestrictParticipant(restrict)).participant
    assert (restricted.status, restricted.restriction_reason) == (
        api.PARTICIPANT_STATUS_RESTRICTED,
        "court order 17",
    )
    seen = await published(
        registry.settings, lambda e: e.event_type.endswith("ParticipantRestricted")
    )
    message = events.ParticipantRestricted.FromString(seen.payload)
    assert (seen.stream_id, list(message.account_ids), message.reason) == (
        "participant-shanxi-030",
        ["shanxi-030-t"],
        "court order 17",
    )
    head = await registry.head()
    for sender, receiver in (("shanxi-030-t", "b-unit-t"), ("b-unit-t", "shanxi-030-t")):
        transfer = api.TransferAllowancesRequest(
            request_id=rid(), from_account_id=sender, to_account_id=receiver,
            instrument=CEA, quantity_tonnes=1,
        )  # fmt: skip
        assert await refusal(registry.stub.TransferAllowances(transfer)) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "PARTICIPANT_RESTRICTED",
        )
    assert await registry.head() == head  # not even proposed
    assert (await registry.holding("shanxi-030-t")).registry_tonnes == 500  # holdings stay
    reinstate = api.ReinstateParticipantRequest(request_id=rid(), participant_id="shanxi-030")
    active = (await registry.stub.ReinstateParticipant(reinstate)).participant
    assert active.status == api.PARTICIPANT_STATUS_ACTIVE
    transfer = api.TransferAllowancesRequest(
        request_id=rid(), from_account_id="shanxi-030-t", to_account_id="b-unit-t",
        instrument=CEA, quantity_tonnes=5,
    )  # fmt: skip
    moved = await registry.stub.TransferAllowances(transfer)
    assert moved.to_holding.registry_tonnes == 5


async def _bad_requests_record_nothing(registry: Registry) -> None:
    head = await registry.head()
    stub = registry.stub
    cases = [
        (
            stub.RegisterParticipant(
                api.RegisterParticipantRequest(request_id=rid(), participant_id="x", name="X")
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "ENUM_VALUE_REQUIRED",
        ),
        (
            stub.RegisterParticipant(
                api.RegisterParticipantRequest(
                    request_id=rid(), participant_id="no spaces", kind=KEU, name="X"
                )
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "PARTICIPANT_ID_INVALID",
        ),
        (
            stub.RegisterParticipant(
                api.RegisterParticipantRequest(
                    request_id=rid(), participant_id="shanxi-030", kind=KEU, name="Again"
                )
            ),
            grpc.StatusCode.ALREADY_EXISTS,
            "PARTICIPANT_ALREADY_EXISTS",
        ),
        (
            stub.GetParticipant(api.GetParticipantRequest(participant_id="nobody")),
            grpc.StatusCode.NOT_FOUND,
            "PARTICIPANT_NOT_FOUND",
        ),
        (
            stub.ListParticipants(api.ListParticipantsRequest(page_size=501)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "PAGE_SIZE_TOO_LARGE",
        ),
        (
            stub.RestrictParticipant(
                api.RestrictParticipantRequest(request_id=rid(), participant_id="b-unit")
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "RESTRICTION_REASON_INVALID",
        ),
        (
            stub.ReinstateParticipant(
                api.ReinstateParticipantRequest(request_id=rid(), participant_id="b-unit")
            ),
            grpc.StatusCode.FAILED_PRECONDITION,
            "PARTICIPANT_NOT_RESTRICTED",
        ),
    ]
    for call, code, reason in cases:
        assert await refusal(call) == (code, reason)
    assert await registry.head() == head


async def _issue(registry: Registry, account_id: str, tonnes: int) -> None:
    issued = allocation.AllocationIssued(
        issuance_id=f"iss-{account_id}", entity_id="e1", account_id=account_id, year=2024,
        instrument=CEA, quantity_tonnes=tonnes,
    )  # fmt: skip
    before = await registry.head()
    await publish(registry.settings, "allocation", envelope("allocation", "entity-e1", issued))
    await registry.recorded(before, "AllowancesIssued")
