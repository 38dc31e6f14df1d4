"""The one policy names every RPC of the four services, and only fields their requests have."""

from __future__ import annotations

import pytest
from cqx.allocation.v1 import allocation_service_pb2
from cqx.approvals.v1 import approvals_pb2
from cqx.matching.v1 import matching_service_pb2
from cqx.registry.v1 import registry_service_pb2
from cqx.settlement.v1 import settlement_service_pb2

from cqx_identity import Principal, Role
from cqx_kernel.errors import PermissionDeniedError
from cqx_service.policy import RULES, Ownership, Policy

FILES = (
    registry_service_pb2,
    allocation_service_pb2,
    matching_service_pb2,
    settlement_service_pb2,
    approvals_pb2,
)
METHODS = {
    f"/{service.full_name}/{method.name}": method
    for file in FILES
    for service in file.DESCRIPTOR.services_by_name.values()
    for method in service.methods
}
ALICE = Principal(Role.MEMBER, "alice", "alice")
AUDITOR = Principal(Role.AUDITOR, "auditor")
OPERATOR = Principal(Role.OPERATOR, "operator")


def test_every_rpc_has_a_rule_and_every_rule_an_rpc() -> None:
    assert sorted(set(METHODS) - set(RULES)) == []
    assert sorted(set(RULES) - set(METHODS)) == []


@pytest.mark.parametrize("path", sorted(RULES))
def test_a_rule_names_only_fields_of_its_request(path: str) -> None:
    fields = METHODS[path].input_type.fields_by_name
    for owned in RULES[path].owned:
        assert owned.field in fields, f"{path}: no field {owned.field}"


@pytest.mark.parametrize("path", sorted(RULES))
def test_an_auditor_changes_nothing(path: str) -> None:
    """An auditor may call only what reads: Get*, List*, Check*, Stream*."""
    name = path.rsplit("/", 1)[1]
    if Role.AUDITOR in RULES[path].roles:
        assert name.startswith(("Get", "List", "Check", "Stream")), name


def test_a_method_outside_the_policy_is_refused_to_everyone_but_health_is_open() -> None:
    policy = Policy(Ownership(lambda _account: None))
    with pytest.raises(PermissionDeniedError) as refused:
        policy.authorize("/cqx.registry.v1.RegistryService/Backdoor", OPERATOR, None)
    assert refused.value.reason == "METHOD_NOT_IN_POLICY"
    policy.authorize("/grpc.health.v1.Health/Check", ALICE, None)


def test_a_member_acts_on_its_own_account_only_and_cannot_tell_foreign_from_unknown() -> None:
    owners = {"alice-1": "alice", "bob-1": "bob"}
    policy = Policy(Ownership(owners.get))
    place = "/cqx.matching.v1.MatchingService/PlaceOrder"
    policy.authorize(place, ALICE, matching_service_pb2.PlaceOrderRequest(account_id="alice-1"))
    refusals = []
    for account in ("bob-1", "nobody-1"):
        with pytest.raises(PermissionDeniedError) as refused:
            policy.authorize(
                place, ALICE, matching_service_pb2.PlaceOrderRequest(account_id=account)
            )
        refusals.append((refused.value.reason, refused.value.message.replace(account, "X")))
    assert (
        refusals[0]
        == refusals[1]
        == ("NOT_YOUR_ACCOUNT", "account_id 'X' is not an account of participant alice")
    )


def test_roles_are_kept_apart() -> None:
    policy = Policy(Ownership(lambda _account: "alice"))
    deposit = "/cqx.settlement.v1.SettlementService/DepositFunds"
    request = settlement_service_pb2.DepositFundsRequest(account_id="alice-1", amount_fen=1)
    for who in (ALICE, AUDITOR):
        with pytest.raises(PermissionDeniedError) as refused:
            policy.authorize(deposit, who, request)
        assert refused.value.reason == "ROLE_NOT_ALLOWED"
    policy.authorize(deposit, OPERATOR, request)
    place = "/cqx.matching.v1.MatchingService/PlaceOrder"
    with pytest.raises(PermissionDeniedError):  # operators and auditors never trade
        policy.authorize(place, OPERATOR, matching_service_pb2.PlaceOrderRequest(account_id="a"))


def test_a_member_lists_only_its_own() -> None:
    policy = Policy(Ownership({"alice-1": "alice"}.get))
    orders = "/cqx.matching.v1.MatchingService/ListOrders"
    with pytest.raises(PermissionDeniedError) as refused:
        policy.authorize(orders, ALICE, matching_service_pb2.ListOrdersRequest())
    assert refused.value.reason == "OWN_ACCOUNT_REQUIRED"
    policy.authorize(orders, ALICE, matching_service_pb2.ListOrdersRequest(account_id="alice-1"))
    policy.authorize(orders, AUDITOR, matching_service_pb2.ListOrdersRequest())
