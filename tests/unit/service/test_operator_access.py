"""Which calls the API edge lets through to an operator's method."""

from __future__ import annotations

import pytest
from cqx.settlement.v1 import settlement_service_pb2 as api

from cqx_grpc import CallMetadata, OperatorAccess, method_paths

SETTLEMENT = api.DESCRIPTOR.services_by_name["SettlementService"]
DEPOSIT = "/cqx.settlement.v1.SettlementService/DepositFunds"
BALANCE = "/cqx.settlement.v1.SettlementService/GetCashBalance"


def call(token: str | None) -> CallMetadata:
    return CallMetadata(correlation_id="c", operator_token=token)


def test_a_method_the_service_does_not_have_cannot_be_named() -> None:
    assert method_paths(SETTLEMENT, ["DepositFunds"]) == {DEPOSIT}
    with pytest.raises(ValueError, match="DepositFund"):
        method_paths(SETTLEMENT, ["DepositFund"])


def test_with_a_token_only_the_operators_methods_need_it() -> None:
    access = OperatorAccess(method_paths(SETTLEMENT, ["DepositFunds"]), "s3cret")
    assert access.guarded
    for wrong in (None, "", "s3cre", "s3cret "):
        refusal = access.refusal(DEPOSIT, call(wrong))
        assert refusal is not None
        assert refusal.reason == "OPERATOR_ONLY"
    assert access.refusal(DEPOSIT, call("s3cret")) is None
    assert access.refusal(BALANCE, call(None)) is None


def test_without_a_token_every_method_is_open_and_the_token_is_never_shown() -> None:
    access = OperatorAccess(method_paths(SETTLEMENT, ["DepositFunds"]), None)
    assert not access.guarded
    assert access.refusal(DEPOSIT, call(None)) is None
    assert "s3cret" not in repr(OperatorAccess(frozenset(), "s3cret"))
    assert "s3cret" not in repr(call("s3cret"))
