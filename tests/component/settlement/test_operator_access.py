"""The operator's methods at the API edge: with CQX_OPERATOR_TOKEN set, depositing cash and
closing a settlement day need the operator's token (PERMISSION_DENIED, OPERATOR_ONLY, nothing
recorded); what traders do needs none; the SDK sends the token it is given."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import AsyncIterator

import grpc
import pytest
from cqx.settlement.v1 import settlement_service_pb2 as api

from cqx_bus import KafkaAccess
from cqx_grpc import call_metadata
from cqx_sdk import Addresses, CqxApiError, CqxClient
from tests.component.settlement.support import Settlement, refused, rid, settlement_service
from tests.support.service_harness import settings_for

TOKEN = "operator-" + secrets.token_hex(8)
UNREACHABLE = "127.0.0.1:9"


@pytest.fixture(scope="module")
async def service(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[Settlement]:
    """A settlement service that requires the operator's token."""
    settings = settings_for("settlement", database_url, kafka_admin, f"t_{secrets.token_hex(4)}")
    async with settlement_service(dataclasses.replace(settings, operator_token=TOKEN)) as s:
        yield s


def deposit(account: str) -> api.DepositFundsRequest:
    return api.DepositFundsRequest(request_id=rid(), account_id=account, amount_fen=1_000)


async def test_a_deposit_without_the_operators_token_is_refused_and_records_nothing(
    service: Settlement,
) -> None:
    before = await service.head()
    for metadata in ((), call_metadata(operator_token="guess")):
        call = service.stub.DepositFunds(deposit("op-a"), metadata=metadata)
        assert await refused(call) == (grpc.StatusCode.PERMISSION_DENIED, "OPERATOR_ONLY")
    assert await service.head() == before
    unknown = service.stub.GetCashBalance(api.GetCashBalanceRequest(account_id="op-a"))
    assert await refused(unknown) == (grpc.StatusCode.NOT_FOUND, "CASH_ACCOUNT_NOT_FOUND")


async def test_the_operators_token_opens_the_operators_methods(service: Settlement) -> None:
    await service.stub.DepositFunds(deposit("op-b"), metadata=call_metadata(operator_token=TOKEN))
    balance = await service.stub.GetCashBalance(api.GetCashBalanceRequest(account_id="op-b"))
    assert balance.balance_fen == 1_000
    # A trader's own request needs no token.
    withdraw = api.RequestWithdrawalRequest(request_id=rid(), account_id="op-b", amount_fen=400)
    await service.stub.RequestWithdrawal(withdraw)


async def test_the_sdk_sends_the_token_it_is_given(service: Settlement) -> None:
    addresses = Addresses(UNREACHABLE, UNREACHABLE, UNREACHABLE, service.address)
    async with CqxClient(addresses, operator_token="wrong") as client:
        with pytest.raises(CqxApiError) as denied:
            await client.settlement.deposit("op-c", 500)
        assert (denied.value.code, denied.value.reason) == ("PERMISSION_DENIED", "OPERATOR_ONLY")
    async with CqxClient(addresses, operator_token=TOKEN) as client:
        await client.settlement.deposit("op-c", 500)
        assert (await client.settlement.cash_balance("op-c")).balance_fen == 500
