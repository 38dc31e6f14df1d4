"""One client-visible contract for all four services: the same bad requests get the same
statuses and reasons everywhere (paging, request ids, undecodable bytes, overlong ids), and a
request id given in the header is honoured everywhere.

Each service runs in-process on the real PostgreSQL and Kafka, called through its generated
stub, as a client would.
"""

from __future__ import annotations

import contextlib
import random
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import grpc
import pytest
from cqx.allocation.v1 import allocation_service_pb2 as allocation
from cqx.allocation.v1 import allocation_service_pb2_grpc as allocation_grpc
from cqx.matching.v1 import matching_service_pb2 as matching
from cqx.matching.v1 import matching_service_pb2_grpc as matching_grpc
from cqx.registry.v1 import events_pb2 as registry_events
from cqx.registry.v1 import registry_service_pb2 as registry
from cqx.registry.v1 import registry_service_pb2_grpc as registry_grpc
from cqx.settlement.v1 import settlement_service_pb2 as settlement
from cqx.settlement.v1 import settlement_service_pb2_grpc as settlement_grpc
from google.protobuf.message import Message

from cqx_allocation.bootstrap import build as allocation_build
from cqx_bus import KafkaAccess
from cqx_eventstore.postgres import PostgresEventStore
from cqx_grpc import call_metadata, error_info
from cqx_kernel.clock import FixedClock
from cqx_matching.bootstrap import builder as matching_builder
from cqx_matching.config import MatchingSettings
from cqx_registry.bootstrap import build as registry_build
from cqx_service.runtime import Build
from cqx_settlement.bootstrap import build as settlement_build
from tests.support import pki
from tests.support.service_harness import running, settings_for

MONDAY_MORNING = datetime(2025, 3, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))


@dataclass(frozen=True)
class Spec:
    """How to start one service, list something, and make one harmless change."""

    name: str
    build: Build
    stub: Callable[[grpc.aio.Channel], Any]
    list_method: str
    list_request: Callable[..., Message]
    change_method: str
    change_request: Callable[[str], Message]  # given a request id ("" for none)


def _suffix() -> str:
    return uuid.uuid4().hex[:8]


SPECS = [
    Spec(
        "registry", registry_build, registry_grpc.RegistryServiceStub,
        "ListAccounts", registry.ListAccountsRequest,
        "RegisterParticipant", lambda rid: registry.RegisterParticipantRequest(
            request_id=rid, participant_id=f"keu-{_suffix()}", name="Company",
            kind=registry_events.PARTICIPANT_KIND_KEY_EMISSION_UNIT,
        ),
    ),
    Spec(
        "allocation", allocation_build, allocation_grpc.AllocationServiceStub,
        "ListEntities", allocation.ListEntitiesRequest,
        "RegisterEntity", lambda rid: allocation.RegisterEntityRequest(
            request_id=rid, entity_id=f"entity-{_suffix()}", account_id=f"acct-{_suffix()}",
            name="Plant", sector="power", province="Shanxi",
        ),
    ),
    Spec(
        "matching", matching_builder(MatchingSettings(), clock=FixedClock(MONDAY_MORNING)),
        matching_grpc.MatchingServiceStub,
        "ListOrders", lambda **paging: matching.ListOrdersRequest(account_id="acct-1", **paging),
        "OpenTradingDay", lambda rid: matching.OpenTradingDayRequest(
            request_id=rid, instrument=f"CEA-{random.randint(2030, 2099)}",
            trading_date="2025-03-03",
            previous_close_fen=6_000,
        ),
    ),
    Spec(
        "settlement", settlement_build, settlement_grpc.SettlementServiceStub,
        "ListSettlements", settlement.ListSettlementsRequest,
        "DepositFunds", lambda rid: settlement.DepositFundsRequest(
            request_id=rid, account_id=f"acct-{_suffix()}", amount_fen=1_000,
        ),
    ),
]  # fmt: skip


@dataclass
class Running:
    """A started service: its stub, its channel and a reader of its log."""

    spec: Spec
    stub: Any
    channel: grpc.aio.Channel
    store: PostgresEventStore

    async def head(self) -> int:
        """The last recorded position."""
        return (await self.store.head())[0]


@pytest.fixture(scope="module", params=SPECS, ids=lambda s: s.name)
async def service(
    request: pytest.FixtureRequest, database_url: str, kafka_admin: KafkaAccess
) -> AsyncIterator[Running]:
    spec: Spec = request.param
    settings = settings_for(spec.name, database_url, kafka_admin, f"c_{_suffix()}")
    async with contextlib.AsyncExitStack() as stack:
        runtime = await stack.enter_async_context(running(settings, spec.build))
        channel = await stack.enter_async_context(  # the operator: both methods are its
            pki.channel(f"127.0.0.1:{runtime.port}", pki.operator())
        )
        store = await PostgresEventStore.connect(settings.database_url, settings.schema)
        stack.push_async_callback(store.close)
        yield Running(spec, spec.stub(channel), channel, store)


async def _refusal(call: Any) -> tuple[grpc.StatusCode, str]:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        info = error_info(error)
        return error.code(), info.reason if info else ""
    raise AssertionError("the call succeeded")


@pytest.mark.parametrize(
    ("paging", "reason"),
    [
        ({"page_size": -1}, "PAGE_SIZE_NEGATIVE"),
        ({"page_size": 501}, "PAGE_SIZE_TOO_LARGE"),
        ({"page_token": "!!!"}, "PAGE_TOKEN_INVALID"),
        ({"page_token": "bm90LW91cnM"}, "PAGE_TOKEN_INVALID"),  # base64 of "not-ours"
    ],
)
async def test_bad_paging_gets_the_same_reason_everywhere(
    service: Running, paging: dict[str, Any], reason: str
) -> None:
    method = getattr(service.stub, service.spec.list_method)
    refused = await _refusal(method(service.spec.list_request(**paging)))
    assert refused == (grpc.StatusCode.INVALID_ARGUMENT, reason)


async def test_a_change_without_a_request_id_is_refused_and_records_nothing(
    service: Running,
) -> None:
    before = await service.head()
    method = getattr(service.stub, service.spec.change_method)
    refused = await _refusal(method(service.spec.change_request("")))
    assert refused == (grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_ID_MISSING")
    assert await service.head() == before


async def test_a_request_id_in_the_header_is_honoured_everywhere(service: Running) -> None:
    before = await service.head()
    method = getattr(service.stub, service.spec.change_method)
    header_id = f"hdr-{_suffix()}"
    request = service.spec.change_request("")
    first = await method(request, metadata=call_metadata(request_id=header_id))
    again = await method(request, metadata=call_metadata(request_id=header_id))
    assert first == again  # the retry got the first answer
    recorded = [e async for e in service.store.read_all(before)]
    assert recorded, "the change recorded nothing"
    assert {e.metadata.get("request_id") for e in recorded} == {header_id}
    assert {e.metadata.get("actor") for e in recorded} == {"operator:operator"}


async def test_an_overlong_request_id_is_refused_with_a_readable_reason(service: Running) -> None:
    before = await service.head()
    method = getattr(service.stub, service.spec.change_method)
    code, reason = await _refusal(method(service.spec.change_request("r" * 10_000)))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "FIELD_TOO_LONG")
    assert await service.head() == before


async def test_bytes_that_are_not_a_request_are_invalid_argument(service: Running) -> None:
    descriptor = service.spec.change_request("").DESCRIPTOR
    service_name = descriptor.file.services_by_name
    (full_name,) = [s.full_name for s in service_name.values()]
    raw = service.channel.unary_unary(
        f"/{full_name}/{service.spec.change_method}",
        request_serializer=lambda b: b,
        response_deserializer=lambda b: b,
    )
    refused = await _refusal(raw(b"\xff\xff\xff\xff"))
    assert refused == (grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_UNDECODABLE")
