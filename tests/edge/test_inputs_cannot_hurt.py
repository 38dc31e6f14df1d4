"""Inputs that cannot hurt: any request to any mutating RPC of the four real services, from
any principal.

Hypothesis generates requests for every mutating RPC (random field values, boundary integers,
long and odd strings, and raw bytes that may not be a message at all) and sends them to the
four services running on the real PostgreSQL and Kafka over mutual TLS, mostly as the
principal whose work the RPC is (the operator, or the member of the seeded account the request
names), sometimes as anyone else. Whatever is sent, the answer is OK or one of the documented
statuses with an ErrorInfo reason (never UNKNOWN or INTERNAL), the server still reports
SERVING, a request refused at the edge (INVALID_ARGUMENT with a bounds reason) or by the
policy (PERMISSION_DENIED with a policy reason: docs/identity.md) recorded nothing, and a
refusal the exchange audits (OrderRejected, CommandRejected) was recorded exactly once.
"""

from __future__ import annotations

import uuid

import grpc
import pytest
from cqx.matching.v1 import events_pb2 as matching_events
from cqx.matching.v1 import matching_service_pb2 as matching
from google.protobuf.message import DecodeError, Message
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import event as note_reached
from hypothesis import strategies as st

from cqx_eventstore.model import RecordedEvent
from cqx_grpc import EDGE_REASONS, error_info
from cqx_grpc.server import REFLECTION_SERVICE_NAME
from cqx_service.policy import RULES
from tests.edge.requests import caller, files_of, message
from tests.edge.world import ACCOUNTS, INSTRUMENT, MONDAY_MORNING_US, SERVICES, Service
from tests.support import pki

# Every mutating RPC, by service; checked against the descriptors of the APIs each serves (a
# mutating RPC is one whose request has a request_id), so an RPC added later cannot be left
# out of the property.
APPROVALS = ("ApproveAction", "RejectAction")
MUTATING_RPCS: dict[str, tuple[str, ...]] = {
    "registry": (
        "RegisterParticipant", "RestrictParticipant", "ReinstateParticipant",
        "OpenAccount", "MoveToTrading", "MoveFromTrading", "TransferAllowances", "Surrender",
        "CancelAllowances", "Freeze", "Unfreeze", *APPROVALS,
    ),
    "allocation": (
        "RegisterEntity", "OpenComplianceYear", "SetAllocation", "IssueAllocation",
        "RecordVerifiedEmissions", *APPROVALS,
    ),
    "matching": (
        "OpenTradingDay", "CloseTradingDay", "PlaceOrder", "TakeListing", "CancelOrder",
        "ReduceOrder", "ReplaceOrder", "ProposeBlockTrade", "CounterBlockTrade",
        "AcceptBlockTrade", "WithdrawBlockTrade", "AnnounceBidding", "SubmitBid", "CloseBidding",
    ),
    "settlement": ("DepositFunds", "RequestWithdrawal", "CloseSettlementDay", *APPROVALS),
}  # fmt: skip
CASES = [(service, method) for service, methods in MUTATING_RPCS.items() for method in methods]
DOCUMENTED = {
    grpc.StatusCode.OK,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.OUT_OF_RANGE,
}
# The policy's refusals (docs/identity.md), made before the handler runs. METHOD_NOT_IN_POLICY
# is not among them: every RPC here has a rule.
POLICY_REASONS = {"ROLE_NOT_ALLOWED", "NOT_YOUR_ACCOUNT", "NOT_YOURS", "OWN_ACCOUNT_REQUIRED"}
# Where a rule's refusal is recorded: the exchange records a refused order or command once
# (OrderRejected, CommandRejected), and answers FAILED_PRECONDITION.
AUDITED = {("matching", grpc.StatusCode.FAILED_PRECONDITION)}
REJECTIONS: dict[str, type[Message]] = {
    message.DESCRIPTOR.full_name: message
    for message in (matching_events.OrderRejected, matching_events.CommandRejected)
}
EXAMPLES_PER_RPC = 15


def discovered_mutating_rpcs() -> dict[str, tuple[str, ...]]:
    """The mutating RPCs as the descriptors say: those whose request carries a request_id."""
    found = {}
    for spec in SERVICES:
        apis = [s for api in spec.apis for s in api.DESCRIPTOR.services_by_name.values()]
        found[spec.name] = tuple(
            m.name for s in apis for m in s.methods if "request_id" in m.input_type.fields_by_name
        )
    return found


def test_the_list_of_mutating_rpcs_is_the_descriptors() -> None:
    assert discovered_mutating_rpcs() == MUTATING_RPCS
    assert len(CASES) == 39


def test_every_mutating_rpc_has_a_rule_in_the_policy() -> None:
    for spec in SERVICES:
        apis = [s for api in spec.apis for s in api.DESCRIPTOR.services_by_name.values()]
        for method in MUTATING_RPCS[spec.name]:
            [api] = [s for s in apis if method in s.methods_by_name]
            assert f"/{api.full_name}/{method}" in RULES, method


async def test_each_server_serves_the_apis_the_world_sends_to(
    services: dict[str, Service],
) -> None:
    """What each running server lists by reflection is what the property covers (plus
    health and reflection), so an API a server starts serving cannot be left out."""
    for service in services.values():
        stub = reflection_pb2_grpc.ServerReflectionStub(service.channel(pki.auditor()))
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        [answer] = [r async for r in stub.ServerReflectionInfo(iter([request]))]
        listed = {s.name for s in answer.list_services_response.service}
        infrastructure = {"grpc.health.v1.Health", REFLECTION_SERVICE_NAME}
        assert listed - infrastructure == {api.full_name for api in service.apis}


def decoded(service: Service, method: str, data: bytes) -> Message | None:
    """The request the bytes are, if they decode."""
    try:
        return service.request_class(method).FromString(data)
    except DecodeError:
        return None


async def send(
    service: Service, method: str, data: bytes, principal: str
) -> tuple[grpc.StatusCode, str]:
    """Send the bytes as ``principal`` with a fresh correlation id; the status and the
    ErrorInfo reason, after checking what the answer, the server and the log show."""
    correlation = str(uuid.uuid4())
    request = decoded(service, method, data)
    key = None if request is None else (principal, str(request.request_id))  # type: ignore[attr-defined]
    fresh = key is not None and key not in service.used_request_ids
    before = await service.quiet_head()
    code, details, info = grpc.StatusCode.OK, "", None
    try:
        await service.call(method, data, [("x-correlation-id", correlation)], files_of(principal))
    except grpc.aio.AioRpcError as error:
        code, details, info = error.code(), error.details(), error_info(error)
    assert code in DOCUMENTED, (code, details)
    if code != grpc.StatusCode.OK:
        assert info is not None, f"{code.name} without an ErrorInfo: {details}"
        assert info.reason, info
        assert info.domain == "cqx", info
    reason = info.reason if info is not None else ""
    if key is not None:
        service.used_request_ids.setdefault(key, method)
    assert await service.serving() == "SERVING"
    ours = [
        event
        for event in await service.recorded_after(before)
        if event.metadata.get("correlation_id") == correlation
    ]
    if code == grpc.StatusCode.PERMISSION_DENIED:
        assert reason in POLICY_REASONS, (reason, details)
    if reason in EDGE_REASONS or reason in POLICY_REASONS:
        assert code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED)
        assert ours == [], (reason, [e.event_type for e in ours])
        assert await service.head() == before, reason
    if code != grpc.StatusCode.OK and fresh:
        check_audit(service.spec.name, code, reason, ours)
    return code, reason


def check_audit(
    service_name: str, code: grpc.StatusCode, reason: str, ours: list[RecordedEvent]
) -> None:
    """A refusal is recorded at most once, with the reason answered; where the design audits
    refusals (the exchange's rule refusals), exactly once."""
    rejections = [event for event in ours if event.event_type in REJECTIONS]
    assert len(rejections) <= 1, [e.event_type for e in ours]
    if (service_name, code) in AUDITED:
        assert len(rejections) == 1, (reason, [e.event_type for e in ours])
    for event in rejections:
        assert REJECTIONS[event.event_type].FromString(event.payload).reason == reason
    if service_name != "matching" and code == grpc.StatusCode.INVALID_ARGUMENT:
        # Elsewhere a malformed request records nothing (the exchange records some of its
        # INVALID_ARGUMENT refusals, PRICE_NOT_ON_TICK or BIDDING_WINDOW_INVALID, as rejections).
        assert ours == [], (reason, [e.event_type for e in ours])


def any_request(service: Service, method: str) -> st.SearchStrategy[bytes]:
    """A generated request of ``method``'s type, or raw bytes."""
    generated = message(service.request_class(method)).map(lambda m: m.SerializeToString())
    return st.one_of(generated, generated, st.binary(max_size=64))


@pytest.mark.slow
@pytest.mark.parametrize(("service_name", "method"), CASES, ids=[f"{s}.{m}" for s, m in CASES])
@settings(
    max_examples=EXAMPLES_PER_RPC,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
async def test_any_request_from_anyone_gets_a_documented_answer_and_harms_nothing(
    services: dict[str, Service], service_name: str, method: str, data: st.DataObject
) -> None:
    service = services[service_name]
    request = data.draw(any_request(service, method), label="request")
    as_message = decoded(service, method, request)
    principal = data.draw(caller(RULES[service.path(method)], as_message), label="principal")
    # A request id this principal used for another RPC is refused as reused
    # (tests/edge/test_request_ids.py): not what this property is for.
    if as_message is not None:
        request_id = str(as_message.request_id)  # type: ignore[attr-defined]
        if service.used_request_ids.get((principal, request_id), method) != method:
            as_message.request_id = f"{method}-{request_id}"  # type: ignore[attr-defined]
            request = as_message.SerializeToString()
    code, reason = await send(service, method, request, principal)
    note_reached(f"{code.name} {reason}".strip())  # --hypothesis-show-statistics: what was reached


async def test_a_bidding_window_ending_at_the_int64_maximum_is_refused_and_matching_serves(
    services: dict[str, Service],
) -> None:
    """The request that stopped the exchange (OverflowError in the calendar) is refused at the
    edge, and the exchange keeps serving."""
    request = matching.AnnounceBiddingRequest(
        request_id=str(uuid.uuid4()), account_id=ACCOUNTS[0], instrument=INSTRUMENT,
        side=matching_events.SIDE_SELL, quantity_tonnes=100,
        reserve_price_fen=6_000, window_start_us=MONDAY_MORNING_US, window_end_us=2**63 - 1,
    )  # fmt: skip
    data = request.SerializeToString()
    code, reason = await send(services["matching"], "AnnounceBidding", data, ACCOUNTS[0])
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "VALUE_OUT_OF_RANGE")
