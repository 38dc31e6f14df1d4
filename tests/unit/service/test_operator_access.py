"""Which calls the API edge lets through to an operator's method."""

from __future__ import annotations

import pytest
from cqx.settlement.v1 import settlement_service_pb2 as api

from cqx_grpc import CallMetadata, OperatorAccess, method_paths
from cqx_kernel.errors import InvalidArgumentError
from cqx_service import RuntimeSettings

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


def test_a_blank_operator_token_stops_the_service_rather_than_opening_its_methods() -> None:
    base = {
        "CQX_DATABASE_URL": "postgresql://x@127.0.0.1/db",
        "CQX_KAFKA_BOOTSTRAP": "k:9092",
        "CQX_KAFKA_PASSWORD": "pw",
    }
    with pytest.raises(InvalidArgumentError, match="CQX_OPERATOR_TOKEN is blank"):
        RuntimeSettings.from_env("settlement", 50054, {**base, "CQX_OPERATOR_TOKEN": "  "})
    given = RuntimeSettings.from_env("settlement", 50054, {**base, "CQX_OPERATOR_TOKEN": " t0k "})
    assert given.operator_token == "t0k"
    assert RuntimeSettings.from_env("settlement", 50054, base).operator_token is None
