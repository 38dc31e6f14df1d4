"""Attacks on the registry, as issue 9 tried them: a member (mallory) moving, transferring,
surrendering or cancelling another participant's allowances, reading its account and
holdings, or doing the operator's work (opening accounts, registering or restricting
participants, freezing); an auditor changing anything. Each is refused with
PERMISSION_DENIED and a reason, records nothing, and the victim's holding is as it was."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from cqx.allocation.v1 import events_pb2 as allocation
from cqx.registry.v1 import registry_service_pb2 as api

from cqx_bus import KafkaAccess
from tests.component.registry.support import (
    CEA,
    Registry,
    envelope,
    publish,
    refusal,
    registry_service,
    rid,
)
from tests.support import pki
from tests.support.service_harness import settings_for

VICTIM, MALLORY = "victim-1", "mallory-1"


@pytest.fixture(scope="module")
async def registry(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[Registry]:
    settings = settings_for("registry", database_url, kafka_admin, f"t_{secrets.token_hex(4)}")
    async with registry_service(settings) as running:
        await running.open(VICTIM)
        await running.open(MALLORY)
        issued = allocation.AllocationIssued(
            issuance_id="iss-victim", entity_id="e1", account_id=VICTIM, year=2024,
            instrument=CEA, quantity_tonnes=5_000,
        )  # fmt: skip
        before = await running.head()
        await publish(running.settings, "allocation", envelope("allocation", "entity-e1", issued))
        await running.recorded(before, "AllowancesIssued")
        move = api.MoveToTradingRequest(
            request_id=rid(), account_id=VICTIM, instrument=CEA, quantity_tonnes=1_000
        )
        await running.stub.MoveToTrading(move)  # as the victim's own member
        yield running


def _attacks(stub: Any) -> dict[str, Any]:
    """Every call an attacker tries, made on ``stub`` (as the attacker)."""
    return {
        "move the victim's allowances to trading": stub.MoveToTrading(api.MoveToTradingRequest(
            request_id=rid(), account_id=VICTIM, instrument=CEA, quantity_tonnes=10)),
        "move them out of trading": stub.MoveFromTrading(api.MoveFromTradingRequest(
            request_id=rid(), account_id=VICTIM, instrument=CEA, quantity_tonnes=10)),
        "transfer them to itself": stub.TransferAllowances(api.TransferAllowancesRequest(
            request_id=rid(), from_account_id=VICTIM, to_account_id=MALLORY, instrument=CEA,
            quantity_tonnes=2_000)),
        "surrender them": stub.Surrender(api.SurrenderRequest(
            request_id=rid(), account_id=VICTIM, instrument=CEA, quantity_tonnes=10,
            compliance_year=2024)),
        "cancel them": stub.CancelAllowances(api.CancelAllowancesRequest(
            request_id=rid(), account_id=VICTIM, instrument=CEA, quantity_tonnes=10)),
        "read the victim's holdings": stub.GetHoldings(
            api.GetHoldingsRequest(account_id=VICTIM)),
        "read the victim's account": stub.GetAccount(api.GetAccountRequest(account_id=VICTIM)),
        "read the victim as a participant": stub.GetParticipant(
            api.GetParticipantRequest(participant_id=VICTIM)),
        "list every account": stub.ListAccounts(api.ListAccountsRequest()),
        "list every participant": stub.ListParticipants(api.ListParticipantsRequest()),
        "open an account": stub.OpenAccount(api.OpenAccountRequest(
            request_id=rid(), account_id="m-2", kind=1, name="m", participant_id=MALLORY)),
        "register a participant": stub.RegisterParticipant(api.RegisterParticipantRequest(
            request_id=rid(), participant_id="fake", kind=1, name="fake")),
        "restrict the victim": stub.RestrictParticipant(api.RestrictParticipantRequest(
            request_id=rid(), participant_id=VICTIM, reason="spite")),
        "freeze the victim's allowances": stub.Freeze(api.FreezeRequest(
            request_id=rid(), account_id=VICTIM, instrument=CEA, quantity_tonnes=10,
            reason="spite")),
        "check conservation": stub.CheckConservation(api.CheckConservationRequest()),
    }  # fmt: skip


async def test_a_member_cannot_touch_or_see_another_participants_allowances(
    registry: Registry,
) -> None:
    before = await registry.holding(VICTIM)
    head = await registry.head()
    attacks = _attacks(registry.stub.as_(pki.member(MALLORY)))
    outcomes = {name: await refusal(call) for name, call in attacks.items()}
    denied = {n for n, (code, _) in outcomes.items() if code == grpc.StatusCode.PERMISSION_DENIED}
    assert denied == set(attacks), outcomes
    assert outcomes["transfer them to itself"][1] == "NOT_YOUR_ACCOUNT"
    assert outcomes["read the victim as a participant"][1] == "NOT_YOURS"
    assert outcomes["open an account"][1] == "ROLE_NOT_ALLOWED"
    assert await registry.head() == head
    assert await registry.holding(VICTIM) == before
    own = await registry.stub.as_(pki.member(VICTIM)).GetHoldings(
        api.GetHoldingsRequest(account_id=VICTIM)
    )
    assert [(h.registry_tonnes, h.trading_tonnes) for h in own.holdings] == [(4_000, 1_000)]


async def test_an_auditor_reads_everything_and_changes_nothing(registry: Registry) -> None:
    auditor = registry.stub.as_(pki.auditor())
    held = await auditor.GetHoldings(api.GetHoldingsRequest(account_id=VICTIM))
    assert held.holdings
    head = await registry.head()
    attacks = _attacks(auditor)
    reads = {"read the victim's holdings", "read the victim's account",
             "read the victim as a participant", "list every account",
             "list every participant", "check conservation"}  # fmt: skip
    for name, call in attacks.items():
        if name in reads:
            await call
        else:
            assert await refusal(call) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED"), (
                name
            )
    assert await registry.head() == head
