"""Attacks on the exchange, as issue 9 tried them: a member (mallory) on another participant's
account, order and deals; an auditor changing things; a member doing the operator's work;
and callers with no credential, a stranger's, or a revoked one. Each is refused with
PERMISSION_DENIED or UNAUTHENTICATED and a reason, and records nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest
from cqx.matching.v1 import events_pb2 as events
from cqx.matching.v1 import matching_service_pb2 as api
from cqx.matching.v1 import matching_service_pb2_grpc as api_grpc

from cqx_grpc import error_info
from cqx_identity import CertificateAuthority, Role, TlsFiles, provision_local
from cqx_kernel.clock import FixedClock
from cqx_service import RuntimeSettings
from tests.component.matching.support import (
    MONDAY,
    MONDAY_MORNING,
    RICH,
    Matching,
    matching_service,
    rid,
)
from tests.support import pki

BUY, SELL = events.SIDE_BUY, events.SIDE_SELL
CEA = "CEA-2024"
VICTIM, MALLORY, OTHER = "victim-1", "mallory-1", "other-1"


@pytest.fixture(scope="module")
async def service(settings: RuntimeSettings) -> AsyncIterator[Matching]:
    async with matching_service(settings, FixedClock(MONDAY_MORNING)) as running:
        await running.credit(VICTIM, CEA, 10_000)
        await running.fund(VICTIM, RICH)
        await running.credit(OTHER, CEA, 10_000)
        await running.fund(MALLORY, RICH)
        await running.open_day(CEA)
        yield running


async def _failure(call: Any) -> tuple[grpc.StatusCode, str]:
    try:
        response = call
        if hasattr(response, "__aiter__"):
            async for _ in response:
                pass
        else:
            await response
    except grpc.aio.AioRpcError as error:
        info = error_info(error)
        return error.code(), info.reason if info else ""
    raise AssertionError("the call was not refused")


async def _victims_orders(service: Matching) -> tuple[str, str]:
    """The victim's resting order and one of its filled orders."""
    resting = await service.place(VICTIM, CEA, SELL, 100, 6_500)
    await service.place(OTHER, CEA, SELL, 50, 6_000)
    filled = await service.place(VICTIM, CEA, BUY, 50, 6_000)
    assert filled.order.status == api.ORDER_STATUS_FILLED
    return resting.order.order_id, filled.order.order_id


PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED
Attack = Callable[[api_grpc.MatchingServiceStub, str, str], Any]

MEMBER_ATTACKS: dict[str, Attack] = {
    "place an order for the victim": lambda s, _o, _f: s.PlaceOrder(api.PlaceOrderRequest(
        request_id=rid(), account_id=VICTIM, instrument=CEA, side=BUY, quantity_tonnes=2_000,
        price_fen=6_600)),
    "take a listing for the victim": lambda s, _o, _f: s.TakeListing(api.TakeListingRequest(
        request_id=rid(), account_id=VICTIM, instrument=CEA, side=BUY, quantity_tonnes=10)),
    "cancel the victim's order in its name": lambda s, o, _f: s.CancelOrder(
        api.CancelOrderRequest(request_id=rid(), account_id=VICTIM, order_id=o)),
    "cancel the victim's order in its own name": lambda s, o, _f: s.CancelOrder(
        api.CancelOrderRequest(request_id=rid(), account_id=MALLORY, order_id=o)),
    "cancel the victim's filled order": lambda s, _o, f: s.CancelOrder(
        api.CancelOrderRequest(request_id=rid(), account_id=MALLORY, order_id=f)),
    "reduce the victim's order": lambda s, o, _f: s.ReduceOrder(api.ReduceOrderRequest(
        request_id=rid(), account_id=MALLORY, order_id=o, quantity_tonnes=1)),
    "replace the victim's order": lambda s, o, _f: s.ReplaceOrder(api.ReplaceOrderRequest(
        request_id=rid(), account_id=MALLORY, order_id=o, price_fen=6_000, quantity_tonnes=100)),
    "read the victim's order": lambda s, o, _f: s.GetOrder(api.GetOrderRequest(order_id=o)),
    "list the victim's orders": lambda s, _o, _f: s.ListOrders(
        api.ListOrdersRequest(account_id=VICTIM)),
    "list everyone's orders": lambda s, _o, _f: s.ListOrders(api.ListOrdersRequest()),
    "list the victim's trades": lambda s, _o, _f: s.ListTrades(
        api.ListTradesRequest(instrument=CEA, account_id=VICTIM)),
    "read the victim's risk balance": lambda s, _o, _f: s.GetRiskBalance(
        api.GetRiskBalanceRequest(account_id=VICTIM)),
    "propose a block trade for the victim": lambda s, _o, _f: s.ProposeBlockTrade(
        api.ProposeBlockTradeRequest(request_id=rid(), account_id=VICTIM, instrument=CEA,
        side=SELL, price_fen=6_000, quantity_tonnes=100_000)),
    "announce bidding for the victim": lambda s, _o, _f: s.AnnounceBidding(
        api.AnnounceBiddingRequest(request_id=rid(), account_id=VICTIM, instrument=CEA,
        side=SELL, quantity_tonnes=10, reserve_price_fen=6_000)),
    "bid for the victim": lambda s, _o, _f: s.SubmitBid(api.SubmitBidRequest(
        request_id=rid(), account_id=VICTIM, auction_id="a-1", price_fen=6_000,
        quantity_tonnes=10)),
    "watch the victim's executions": lambda s, _o, _f: s.StreamExecutions(
        api.StreamExecutionsRequest(account_id=VICTIM)),
    "open a trading day": lambda s, _o, _f: s.OpenTradingDay(api.OpenTradingDayRequest(
        request_id=rid(), instrument="CEA-2025", trading_date=MONDAY, previous_close_fen=6_000)),
    "close the trading day": lambda s, _o, _f: s.CloseTradingDay(
        api.CloseTradingDayRequest(request_id=rid(), instrument=CEA)),
    "close a bidding": lambda s, _o, _f: s.CloseBidding(
        api.CloseBiddingRequest(request_id=rid(), auction_id="a-1")),
}  # fmt: skip


async def test_a_member_cannot_touch_or_see_another_participants_account(
    service: Matching,
) -> None:
    resting, filled = await _victims_orders(service)
    head = await service.head()
    mallory = service.stub.as_(pki.member(MALLORY))
    outcomes = {name: await _failure(attack(mallory, resting, filled))
                for name, attack in MEMBER_ATTACKS.items()}  # fmt: skip
    refused = {name for name, (code, _) in outcomes.items() if code == PERMISSION_DENIED}
    assert refused == set(MEMBER_ATTACKS), outcomes
    # Nothing of the victim's state leaks: its filled order is "not yours", like any other.
    assert outcomes["cancel the victim's filled order"][1] == "NOT_YOURS"
    assert outcomes["open a trading day"][1] == "ROLE_NOT_ALLOWED"
    assert await service.head() == head
    order = await service.stub.GetOrder(api.GetOrderRequest(order_id=resting))
    assert order.order.remaining_tonnes == 100  # as the victim left it


async def test_an_auditor_reads_everything_and_changes_nothing(service: Matching) -> None:
    auditor = service.stub.as_(pki.auditor())
    balance = await auditor.GetRiskBalance(api.GetRiskBalanceRequest(account_id=VICTIM))
    assert balance.free_cash_fen > 0
    head = await service.head()
    for name in ("place an order for the victim", "open a trading day", "close the trading day"):
        code, reason = await _failure(MEMBER_ATTACKS[name](auditor, "", ""))
        assert (code, reason) == (PERMISSION_DENIED, "ROLE_NOT_ALLOWED"), name
    assert await service.head() == head


async def test_the_operator_runs_the_market_but_never_trades(service: Matching) -> None:
    operator = service.stub.as_(pki.operator())
    head = await service.head()
    code, reason = await _failure(MEMBER_ATTACKS["place an order for the victim"](operator, "", ""))
    assert (code, reason) == (PERMISSION_DENIED, "ROLE_NOT_ALLOWED")
    assert await service.head() == head


def _address(service: Matching) -> str:
    return str(service.stub._address)


def _book() -> api.GetOrderBookRequest:
    return api.GetOrderBookRequest(instrument=CEA)


async def test_no_credential_no_call(service: Matching, tmp_path: Any) -> None:
    address = _address(service)
    async with pki.plaintext(address) as plain:  # no TLS at all
        code, _ = await _failure(api_grpc.MatchingServiceStub(plain).GetOrderBook(_book()))
    assert code == grpc.StatusCode.UNAVAILABLE
    # TLS that trusts the server but presents no certificate: the handshake is refused.
    files = pki.operator()
    anonymous = grpc.ssl_channel_credentials(root_certificates=files.ca.read_bytes())
    async with grpc.aio.secure_channel(address, anonymous) as channel:
        code, _ = await _failure(api_grpc.MatchingServiceStub(channel).GetOrderBook(_book()))
    assert code == grpc.StatusCode.UNAVAILABLE
    # A credential of another authority, however well made, is a stranger's.
    other = provision_local(tmp_path / "other", members=[VICTIM])
    stranger = TlsFiles(
        files.ca, other.directory / f"{VICTIM}.crt", other.directory / f"{VICTIM}.key"
    )
    async with pki.channel(address, stranger) as channel:
        code, _ = await _failure(api_grpc.MatchingServiceStub(channel).GetOrderBook(_book()))
    assert code == grpc.StatusCode.UNAVAILABLE


async def test_a_revoked_member_is_refused_at_its_next_call_and_told_so(service: Matching) -> None:
    await service.fund("revoked-1", RICH)
    files = pki.member("revoked-1")
    stub = service.stub.as_(files)
    await stub.GetOrderBook(_book())  # works while valid
    CertificateAuthority(pki.pki_dir()).revoke("revoked-1", "left the market")
    head = await service.head()
    code, reason = await _failure(stub.PlaceOrder(api.PlaceOrderRequest(
        request_id=rid(), account_id="revoked-1", instrument=CEA, side=BUY,
        quantity_tonnes=10, price_fen=6_000)))  # fmt: skip
    assert (code, reason) == (grpc.StatusCode.UNAUTHENTICATED, "CREDENTIAL_REVOKED")
    assert await service.head() == head
    CertificateAuthority(pki.pki_dir()).issue(Role.MEMBER, "revoked-1")  # a new credential
    async with pki.channel(_address(service), files) as channel:
        renewed = api_grpc.MatchingServiceStub(channel)
        assert (await renewed.GetOrderBook(_book())).instrument == CEA


async def test_a_request_id_is_its_callers_and_reused_for_another_request_is_refused(
    service: Matching,
) -> None:
    await service.fund("rid-a", RICH)
    await service.fund("rid-b", RICH)
    shared = "same-id-for-both"

    def order(account: str, quantity: int) -> api.PlaceOrderRequest:
        return api.PlaceOrderRequest(
            request_id=shared, account_id=account, instrument=CEA, side=BUY,
            quantity_tonnes=quantity, price_fen=5_500,
        )  # fmt: skip

    first = await service.stub.PlaceOrder(order("rid-a", 10))
    second = await service.stub.PlaceOrder(order("rid-b", 10))  # another principal's id
    assert first.order.order_id != second.order.order_id
    assert (second.order.account_id, second.order.remaining_tonnes) == ("rid-b", 10)
    head = await service.head()
    code, reason = await _failure(service.stub.PlaceOrder(order("rid-a", 11)))
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")
    assert await service.head() == head
    assert await service.stub.PlaceOrder(order("rid-a", 10)) == first  # a retry: first answer


async def test_the_recorded_actor_is_the_authenticated_principal(service: Matching) -> None:
    await service.fund("actor-1", RICH)
    request = api.PlaceOrderRequest(
        request_id=rid(), account_id="actor-1", instrument=CEA, side=BUY,
        quantity_tonnes=10, price_fen=5_500,
    )  # fmt: skip
    metadata = (("x-actor", "operator"),)  # a claim: ignored
    head = await service.head()
    await service.stub.PlaceOrder(request, metadata=metadata)
    recorded = [  # the order's events (a late reaction to another's deposit may interleave)
        e
        async for e in service.store.read_all(head)
        if e.metadata.get("request_id") == request.request_id
    ]
    assert recorded, "the order was recorded"
    assert {e.metadata.get("actor") for e in recorded} == {"member:actor-1"}


async def test_an_expired_credential_gets_nowhere(service: Matching) -> None:
    authority = CertificateAuthority(pki.pki_dir())
    authority.issue(Role.MEMBER, "expired-1", days=0)  # valid until the moment it was made
    authority.issue(Role.MEMBER, "current-1", days=1)  # the same, one day longer
    current = TlsFiles.in_directory(pki.pki_dir(), "current-1")
    async with pki.channel(_address(service), current) as channel:
        book = await api_grpc.MatchingServiceStub(channel).GetOrderBook(_book())
        assert book.instrument == CEA
    files = TlsFiles.in_directory(pki.pki_dir(), "expired-1")
    async with pki.channel(_address(service), files) as channel:
        code, _ = await _failure(api_grpc.MatchingServiceStub(channel).GetOrderBook(_book()))
    assert code == grpc.StatusCode.UNAVAILABLE  # the TLS handshake refuses it
