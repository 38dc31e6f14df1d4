"""Cash through the SettlementService: deposits, withdrawals and the exchange's answers."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import grpc
import pytest
from cqx.matching.v1 import events_pb2 as matching
from cqx.settlement.v1 import events_pb2
from cqx.settlement.v1 import settlement_service_pb2 as api

from cqx_bus import KafkaAccess
from tests.component.settlement.support import (
    FEES,
    Settlement,
    consuming,
    eventually,
    from_matching,
    publish,
    published,
    refused,
    rid,
    settlement_service,
)
from tests.support.service_harness import settings_for


@pytest.fixture(scope="module")
async def service(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[Settlement]:
    """One settlement service for the module; each test uses its own accounts."""
    namespace = f"t_{secrets.token_hex(4)}"
    settings = settings_for("settlement", database_url, kafka_admin, namespace)
    async with settlement_service(settings) as running:
        await consuming(running)
        yield running


async def test_a_deposit_credits_the_account_and_is_published_for_the_exchange(
    service: Settlement,
) -> None:
    first = await service.deposit("acme", 1_000_000)
    second = await service.deposit("acme", 250)
    assert second.balance_fen == 1_000_250
    balance = await service.balance("acme")
    assert (balance.balance_fen, balance.pending_withdrawals_fen) == (1_000_250, 0)
    envelope = await published(
        service.settings,
        lambda e: (
            e.event_type == "cqx.settlement.v1.FundsDeposited"
            and events_pb2.FundsDeposited.FromString(e.payload).deposit_id == first.deposit_id
        ),
    )
    assert envelope.stream_id == "cash-acme"
    assert events_pb2.FundsDeposited.FromString(envelope.payload).amount_fen == 1_000_000


async def test_a_retried_deposit_gets_the_first_answer_and_credits_once(
    service: Settlement,
) -> None:
    request = api.DepositFundsRequest(request_id=rid(), account_id="retry-co", amount_fen=500)
    first = await service.stub.DepositFunds(request)
    again = await service.stub.DepositFunds(request)
    assert again == first
    assert (await service.balance("retry-co")).balance_fen == 500
    assert await service.event_types("cash-retry-co") == ["FundsDeposited"]


@pytest.mark.parametrize(
    ("request_id", "account_id", "amount_fen", "code", "reason"),
    [
        ("", "acme", 100, grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_ID_MISSING"),
        ("r", "acme", 0, grpc.StatusCode.INVALID_ARGUMENT, "AMOUNT_NOT_POSITIVE"),
        ("r", "acme", -1, grpc.StatusCode.INVALID_ARGUMENT, "VALUE_OUT_OF_RANGE"),  # the edge
        ("r", "", 100, grpc.StatusCode.INVALID_ARGUMENT, "ACCOUNT_ID_MISSING"),
        ("r", "no spaces", 100, grpc.StatusCode.INVALID_ARGUMENT, "ACCOUNT_ID_INVALID"),
        ("r", FEES, 100, grpc.StatusCode.FAILED_PRECONDITION, "FEE_ACCOUNT_NOT_A_TRADING_ACCOUNT"),
    ],
)
async def test_a_bad_deposit_is_refused_with_its_reason_and_records_nothing(
    service: Settlement,
    request_id: str,
    account_id: str,
    amount_fen: int,
    code: grpc.StatusCode,
    reason: str,
) -> None:
    before = await service.head()
    request = api.DepositFundsRequest(
        request_id=request_id and rid(), account_id=account_id, amount_fen=amount_fen
    )
    assert await refused(service.stub.DepositFunds(request)) == (code, reason)
    assert await service.head() == before


async def test_the_balance_of_an_account_that_never_held_cash_is_not_found(
    service: Settlement,
) -> None:
    call = service.stub.GetCashBalance(api.GetCashBalanceRequest(account_id="nobody"))
    assert await refused(call) == (grpc.StatusCode.NOT_FOUND, "CASH_ACCOUNT_NOT_FOUND")


async def test_a_withdrawal_beyond_what_is_free_is_insufficient_funds(
    service: Settlement,
) -> None:
    await service.deposit("thin-co", 1_000)
    held = await service.stub.RequestWithdrawal(
        api.RequestWithdrawalRequest(request_id=rid(), account_id="thin-co", amount_fen=700)
    )
    assert held.withdrawal.status == api.WITHDRAWAL_STATUS_PENDING
    before = await service.head()
    call = service.stub.RequestWithdrawal(
        api.RequestWithdrawalRequest(request_id=rid(), account_id="thin-co", amount_fen=301)
    )
    assert await refused(call) == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS")
    assert await service.head() == before
    balance = await service.balance("thin-co")
    assert (balance.balance_fen, balance.pending_withdrawals_fen, balance.available_fen) == (
        1_000,
        700,
        300,
    )


async def withdraw(service: Settlement, account_id: str, amount_fen: int) -> api.Withdrawal:
    """Request a withdrawal; the pending withdrawal."""
    response: api.RequestWithdrawalResponse = await service.stub.RequestWithdrawal(
        api.RequestWithdrawalRequest(request_id=rid(), account_id=account_id, amount_fen=amount_fen)
    )
    return response.withdrawal


async def withdrawal_status(service: Settlement, withdrawal_id: str) -> api.Withdrawal:
    """Where a withdrawal stands."""
    request = api.GetWithdrawalRequest(withdrawal_id=withdrawal_id)
    reply: api.GetWithdrawalResponse = await service.stub.GetWithdrawal(request)
    return reply.withdrawal


async def test_the_exchanges_approval_completes_a_withdrawal(service: Settlement) -> None:
    await service.deposit("leaver", 5_000)
    pending = await withdraw(service, "leaver", 2_000)
    await published(
        service.settings,
        lambda e: (
            e.event_type == "cqx.settlement.v1.CashWithdrawalRequested"
            and e.stream_id == "cash-leaver"
        ),
    )
    approval = matching.CashWithdrawalApproved(
        withdrawal_id=pending.withdrawal_id, account_id="leaver", amount_fen=2_000
    )
    await publish(service.settings, from_matching(approval, "risk-leaver"))

    async def completed() -> bool:
        status = (await withdrawal_status(service, pending.withdrawal_id)).status
        return bool(status == api.WITHDRAWAL_STATUS_COMPLETED)

    await eventually(completed)
    balance = await service.balance("leaver")
    assert (balance.balance_fen, balance.pending_withdrawals_fen) == (3_000, 0)
    # What memory shows is a decision; its events are a commit away (decision 0004).
    wanted = ["FundsDeposited", "CashWithdrawalRequested", "CashWithdrawn"]

    async def recorded() -> bool:
        return await service.event_types("cash-leaver") == wanted

    await eventually(recorded)


async def test_the_exchanges_refusal_releases_the_held_cash(service: Settlement) -> None:
    await service.deposit("busy-co", 5_000)
    pending = await withdraw(service, "busy-co", 4_000)
    refusal = matching.CashWithdrawalRefused(
        withdrawal_id=pending.withdrawal_id, account_id="busy-co", amount_fen=4_000,
        reason="FUNDS_RESERVED",
    )  # fmt: skip
    await publish(service.settings, from_matching(refusal, "risk-busy-co"))

    async def refused_here() -> bool:
        status = (await withdrawal_status(service, pending.withdrawal_id)).status
        return bool(status == api.WITHDRAWAL_STATUS_REFUSED)

    await eventually(refused_here)
    found = await withdrawal_status(service, pending.withdrawal_id)
    assert found.refusal_reason == "FUNDS_RESERVED"
    balance = await service.balance("busy-co")
    assert (balance.balance_fen, balance.pending_withdrawals_fen) == (5_000, 0)


async def test_an_unknown_withdrawal_is_not_found(service: Settlement) -> None:
    call = service.stub.GetWithdrawal(api.GetWithdrawalRequest(withdrawal_id="nope"))
    assert await refused(call) == (grpc.StatusCode.NOT_FOUND, "WITHDRAWAL_NOT_FOUND")
