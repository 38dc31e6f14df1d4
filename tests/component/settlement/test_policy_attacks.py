"""Attacks on the clearing house: a member (mallory) on another participant's cash, a member
doing the operator's work, an auditor changing things. Each is refused with
PERMISSION_DENIED and a reason, and records nothing."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest
from cqx.settlement.v1 import settlement_service_pb2 as api
from cqx.settlement.v1 import settlement_service_pb2_grpc as api_grpc

from cqx_bus import KafkaAccess
from tests.component.settlement.support import Settlement, refused, rid, settlement_service
from tests.support import pki
from tests.support.service_harness import settings_for

VICTIM, MALLORY = "victim-1", "mallory-1"
Attack = Callable[[api_grpc.SettlementServiceStub, str], Any]

ATTACKS: dict[str, Attack] = {
    "withdraw the victim's cash": lambda s, _w: s.RequestWithdrawal(api.RequestWithdrawalRequest(
        request_id=rid(), account_id=VICTIM, amount_fen=100)),
    "read the victim's cash": lambda s, _w: s.GetCashBalance(
        api.GetCashBalanceRequest(account_id=VICTIM)),
    "read the victim's withdrawal": lambda s, w: s.GetWithdrawal(
        api.GetWithdrawalRequest(withdrawal_id=w)),
    "read a trade it was not in": lambda s, _w: s.GetTradeSettlement(
        api.GetTradeSettlementRequest(trade_id="CEA-2024-1")),
    "deposit cash": lambda s, _w: s.DepositFunds(api.DepositFundsRequest(
        request_id=rid(), account_id=MALLORY, amount_fen=10**11)),
    "close the settlement day": lambda s, _w: s.CloseSettlementDay(
        api.CloseSettlementDayRequest(request_id=rid(), trading_date="2025-07-16")),
    "list every settlement": lambda s, _w: s.ListSettlements(api.ListSettlementsRequest()),
    "read a settlement day": lambda s, _w: s.GetSettlementDay(
        api.GetSettlementDayRequest(trading_date="2025-07-16")),
    "check conservation": lambda s, _w: s.CheckConservation(api.CheckConservationRequest()),
}  # fmt: skip
OPERATORS_WORK = ("deposit cash", "close the settlement day")


@pytest.fixture(scope="module")
async def service(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[Settlement]:
    namespace = f"t_{secrets.token_hex(4)}"
    settings = settings_for("settlement", database_url, kafka_admin, namespace)
    async with settlement_service(settings) as running:
        await running.deposit(VICTIM, 1_000_000)
        await running.deposit(MALLORY, 1_000)
        yield running


async def test_a_member_cannot_touch_or_see_another_participants_cash(
    service: Settlement,
) -> None:
    victim = service.stub.as_(pki.member(VICTIM))
    withdrawal = await victim.RequestWithdrawal(
        api.RequestWithdrawalRequest(request_id=rid(), account_id=VICTIM, amount_fen=5_000)
    )
    head = await service.head()
    mallory = service.stub.as_(pki.member(MALLORY))
    outcomes = {name: await refused(attack(mallory, withdrawal.withdrawal.withdrawal_id))
                for name, attack in ATTACKS.items()}  # fmt: skip
    assert {
        n for n, (code, _) in outcomes.items() if code == grpc.StatusCode.PERMISSION_DENIED
    } == (set(ATTACKS)), outcomes
    assert outcomes["withdraw the victim's cash"][1] == "NOT_YOUR_ACCOUNT"
    assert outcomes["deposit cash"][1] == "ROLE_NOT_ALLOWED"
    assert await service.head() == head
    assert (await service.balance(VICTIM)).balance_fen == 1_000_000


async def test_an_auditor_reads_the_ledger_and_changes_nothing(service: Settlement) -> None:
    auditor = service.stub.as_(pki.auditor())
    balance = await auditor.GetCashBalance(api.GetCashBalanceRequest(account_id=VICTIM))
    assert balance.balance_fen == 1_000_000
    assert (await auditor.CheckConservation(api.CheckConservationRequest())).holds
    head = await service.head()
    for name in (*OPERATORS_WORK, "withdraw the victim's cash"):
        assert await refused(ATTACKS[name](auditor, "")) == (
            grpc.StatusCode.PERMISSION_DENIED,
            "ROLE_NOT_ALLOWED",
        ), name
    assert await service.head() == head
