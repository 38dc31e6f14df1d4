"""A revoked credential is refused by every service, at its next call, and told so (issue 9)."""

from __future__ import annotations

import grpc
import pytest
from cqx.allocation.v1 import allocation_service_pb2 as allocation
from cqx.allocation.v1 import allocation_service_pb2_grpc as allocation_grpc
from cqx.matching.v1 import matching_service_pb2 as matching
from cqx.matching.v1 import matching_service_pb2_grpc as matching_grpc
from cqx.registry.v1 import registry_service_pb2 as registry
from cqx.registry.v1 import registry_service_pb2_grpc as registry_grpc
from cqx.settlement.v1 import settlement_service_pb2 as settlement
from cqx.settlement.v1 import settlement_service_pb2_grpc as settlement_grpc

from cqx_grpc import error_info
from cqx_identity import CertificateAuthority
from cqx_local import LocalSystem
from tests.support import pki

MEMBER = "revoked-everywhere"
CALLS = {  # one call each service answers a valid member (or refuses on its own rules)
    "registry": lambda ch: registry_grpc.RegistryServiceStub(ch).GetHoldings(
        registry.GetHoldingsRequest(account_id=MEMBER)),
    "allocation": lambda ch: allocation_grpc.AllocationServiceStub(ch).GetEntity(
        allocation.GetEntityRequest(entity_id=MEMBER)),
    "matching": lambda ch: matching_grpc.MatchingServiceStub(ch).GetOrderBook(
        matching.GetOrderBookRequest(instrument="CEA-2024")),
    "settlement": lambda ch: settlement_grpc.SettlementServiceStub(ch).GetCashBalance(
        settlement.GetCashBalanceRequest(account_id=MEMBER)),
}  # fmt: skip


async def _reason(system: LocalSystem, service: str) -> tuple[grpc.StatusCode, str]:
    async with pki.channel(system.address(service), pki.member(MEMBER)) as channel:
        try:
            await CALLS[service](channel)
        except grpc.aio.AioRpcError as error:
            info = error_info(error)
            return error.code(), info.reason if info else ""
    return grpc.StatusCode.OK, ""


async def test_a_revoked_member_is_refused_by_every_service(system: LocalSystem) -> None:
    before = {service: await _reason(system, service) for service in CALLS}
    assert all(code != grpc.StatusCode.UNAUTHENTICATED for code, _ in before.values()), before
    CertificateAuthority(pki.pki_dir()).revoke(MEMBER, "key lost")
    after = {service: await _reason(system, service) for service in CALLS}
    assert after == dict.fromkeys(CALLS, (grpc.StatusCode.UNAUTHENTICATED, "CREDENTIAL_REVOKED"))


@pytest.fixture(autouse=True)
def _fresh_member() -> None:
    """The member exists (issued now if the authority never saw it)."""
    pki.member(MEMBER)
