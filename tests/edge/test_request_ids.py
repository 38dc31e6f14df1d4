"""A request id is its caller's: the same id sent by one principal to two RPCs of a service is
refused as reused; the same id from another principal is another request (decision 0010)."""

from __future__ import annotations

import uuid

import grpc
import pytest
from google.protobuf.message import Message

from cqx_grpc import error_info
from cqx_identity import Role, TlsFiles
from cqx_service.policy import RULES
from tests.edge.world import ACCOUNTS, ENTITY, INSTRUMENT, MONDAY, YEAR, Service
from tests.support import pki

pytestmark = pytest.mark.slow


def plausible_request(service: Service, method: str, request_id: str) -> Message:
    """A request a rule would consider (ids the seed created), under ``request_id``."""
    fields: dict[str, dict[str, object]] = {
        "RegisterParticipant": {"participant_id": f"p-{uuid.uuid4().hex[:8]}", "kind": 1,
                                "name": "P"},
        "Freeze": {"account_id": ACCOUNTS[0], "instrument": INSTRUMENT, "quantity_tonnes": 1},
        "OpenComplianceYear": {"year": 2031},
        "IssueAllocation": {"entity_id": ENTITY, "year": YEAR},
        "OpenTradingDay": {"instrument": "CEA-2025", "trading_date": MONDAY,
                           "previous_close_fen": 6_000},
        "CloseTradingDay": {"instrument": "CEA-2025"},
        "PlaceOrder": {"account_id": ACCOUNTS[0], "instrument": INSTRUMENT, "side": 1,
                       "quantity_tonnes": 10, "price_fen": 6_000},
        "DepositFunds": {"account_id": ACCOUNTS[1], "amount_fen": 100},
        "RequestWithdrawal": {"account_id": ACCOUNTS[1], "amount_fen": 100},
        "CloseSettlementDay": {"trading_date": MONDAY},
    }  # fmt: skip
    return service.request_class(method)(request_id=request_id, **fields[method])


def owner_of(service: Service, request: Message, method: str) -> TlsFiles:
    """Who sends ``request``: the member of its account for a member's action, else the
    operator."""
    if "account_id" in request.DESCRIPTOR.fields_by_name:
        rule = RULES[service.path(method)]
        if Role.MEMBER in rule.roles:
            return pki.member(request.account_id)  # type: ignore[attr-defined]
    return pki.operator()


async def answers(
    service: Service, methods: tuple[str, str], request_id: str
) -> list[tuple[grpc.StatusCode, str]]:
    """The (status, reason) of each method's plausible request under ``request_id``, each
    sent by its owner."""
    found: list[tuple[grpc.StatusCode, str]] = []
    for method in methods:
        request = plausible_request(service, method, request_id)
        try:
            data = request.SerializeToString()
            await service.call(method, data, (), owner_of(service, request, method))
            found.append((grpc.StatusCode.OK, ""))
        except grpc.aio.AioRpcError as error:
            info = error_info(error)
            found.append((error.code(), info.reason if info else ""))
    assert grpc.StatusCode.INTERNAL not in [code for code, _ in found], found
    return found


# The same request id sent to two different RPCs of one service (found by the property of
# tests/edge/test_inputs_cannot_hurt.py: an odd request id drawn for two RPCs). It was
# answered with the first RPC's recorded response, decoded as the second's (INTERNAL, or a
# wrong OK); from the same principal it is refused now.
SAME_PRINCIPAL = [
    ("registry", "RegisterParticipant", "Freeze"),
    ("allocation", "OpenComplianceYear", "IssueAllocation"),
    ("matching", "OpenTradingDay", "CloseTradingDay"),
    ("settlement", "DepositFunds", "CloseSettlementDay"),
]


@pytest.mark.parametrize(("service_name", "first", "second"), SAME_PRINCIPAL)
async def test_a_request_id_reused_by_another_rpc_is_refused_as_reused(
    services: dict[str, Service], service_name: str, first: str, second: str
) -> None:
    found = await answers(services[service_name], (first, second), f"reused-{uuid.uuid4()}")
    assert found[1] == (grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED"), found


# The operator's request, then a member's under the same id: the member's is its own request,
# answered on its own (it can neither read the operator's answer nor be blocked by its id).
OTHER_PRINCIPAL = [
    ("matching", "OpenTradingDay", "PlaceOrder"),
    ("settlement", "DepositFunds", "RequestWithdrawal"),
]


@pytest.mark.parametrize(("service_name", "first", "second"), OTHER_PRINCIPAL)
async def test_the_same_request_id_from_another_principal_is_another_request(
    services: dict[str, Service], service_name: str, first: str, second: str
) -> None:
    found = await answers(services[service_name], (first, second), f"shared-{uuid.uuid4()}")
    assert found[1][0] != grpc.StatusCode.ALREADY_EXISTS, found
