"""The settlement service run in-process on real PostgreSQL and Kafka, and how to talk to it."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import grpc
import pytest
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import events_pb2 as matching
from cqx.registry.v1 import events_pb2 as registry
from cqx.settlement.v1 import settlement_service_pb2 as api
from cqx.settlement.v1 import settlement_service_pb2_grpc as api_grpc
from google.protobuf.message import Message

from cqx_eventstore.postgres import PostgresEventStore
from cqx_grpc import error_info
from cqx_service import RuntimeSettings
from cqx_settlement.bootstrap import builder
from cqx_settlement.config import SettlementSettings
from tests.support.as_owner import AsOwner
from tests.support.bus import first_published, publish_to
from tests.support.service_harness import running

FEES = "exchange-fees"
WARM_UP_DATE = "2000-01-03"
_positions = itertools.count(1)


@dataclass
class Settlement:
    """A running settlement service: its stub, its settings and a reader of its store."""

    stub: AsOwner[api_grpc.SettlementServiceStub]
    settings: RuntimeSettings
    store: PostgresEventStore
    address: str = ""

    async def event_types(self, stream: str) -> list[str]:
        """The short type names of a stream's recorded events, in order."""
        return [e.event_type.rsplit(".", 1)[1] for e in await self.store.read_stream(stream)]

    async def head(self) -> int:
        """The last recorded position."""
        position, _ = await self.store.head()
        return position

    async def balance(self, account_id: str) -> api.GetCashBalanceResponse:
        """An account's cash."""
        request = api.GetCashBalanceRequest(account_id=account_id)
        reply: api.GetCashBalanceResponse = await self.stub.GetCashBalance(request)
        return reply

    async def opened(self, account_id: str, participant: str | None = None) -> None:
        """The registry's AccountOpened for ``account_id`` (owned by ``participant``, default
        one of the same id); waits until the clearing house recorded the owner."""
        stream = f"directory-{account_id}"
        if await self.store.read_stream(stream):
            return
        opened = registry.AccountOpened(
            account_id=account_id,
            name=account_id,
            participant_id=participant or account_id,
            kind=registry.ACCOUNT_KIND_COVERED_ENTITY,
        )
        envelope = from_matching(opened, f"account-{account_id}", source="registry")
        await publish_to(self.settings, "registry", [envelope])

        async def recorded() -> bool:
            return bool(await self.store.read_stream(stream))

        await eventually(recorded, within=90)

    async def deposit(self, account_id: str, amount_fen: int) -> api.DepositFundsResponse:
        """Deposit with a fresh request id (the account made known first)."""
        await self.opened(account_id)
        request = api.DepositFundsRequest(
            request_id=rid(), account_id=account_id, amount_fen=amount_fen
        )
        reply: api.DepositFundsResponse = await self.stub.DepositFunds(request)
        return reply


async def consuming(service: Settlement) -> None:
    """Wait until the service consumes the exchange's events (a fresh broker's first consumer
    group can take a while to find its coordinator): a day report for a date no test uses."""
    await publish(service.settings, trading_day_closed(WARM_UP_DATE, 0))

    async def reported() -> bool:
        request = api.GetSettlementDayRequest(trading_date=WARM_UP_DATE)
        reply: api.GetSettlementDayResponse = await service.stub.GetSettlementDay(request)
        return len(reply.day.exchange_volumes) == 1

    await eventually(reported, within=90)


@contextlib.asynccontextmanager
async def settlement_service(settings: RuntimeSettings) -> AsyncIterator[Settlement]:
    """Start the service (port 0), yield it with a channel open; stop it afterwards."""
    build = builder(SettlementSettings(fee_account_id=FEES))
    async with running(settings, build) as runtime:
        store = await PostgresEventStore.connect(settings.database_url, settings.schema)
        try:
            address = f"127.0.0.1:{runtime.port}"
            stub = AsOwner(api_grpc.SettlementServiceStub, address)
            try:
                yield Settlement(stub, settings, store, address)
            finally:
                await stub.close()
        finally:
            await store.close()


async def refused(call: Awaitable[object]) -> tuple[grpc.StatusCode, str]:
    """The status code and ErrorInfo reason a call failed with (it must fail)."""
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await call
    info = error_info(failure.value)
    assert info is not None, "the status carries no ErrorInfo"
    return failure.value.code(), info.reason


def rid() -> str:
    """A fresh request id."""
    return str(uuid.uuid4())


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 30) -> None:
    """Wait until ``check`` holds (asserting it does within ``within`` seconds)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def from_matching(message: Message, stream_id: str, source: str = "matching") -> EventEnvelope:
    """A matching (or ``source``'s) event as its relay puts it on the bus."""
    position = next(_positions)
    return EventEnvelope(
        source=source, position=position, stream_id=stream_id, stream_version=position,
        event_id=str(uuid.uuid4()), event_type=message.DESCRIPTOR.full_name,
        payload=message.SerializeToString(), metadata={"correlation_id": "corr-1"},
    )  # fmt: skip


def trade_executed(
    trade_id: str, *, buyer: str, seller: str, price_fen: int, quantity_tonnes: int,
    trading_date: str, buyer_fee_fen: int = 0, seller_fee_fen: int = 0,
    instrument: str = "CEA-2025",
) -> EventEnvelope:  # fmt: skip
    """A TradeExecuted on the book's stream."""
    trade = matching.TradeExecuted(
        trade_id=trade_id, instrument=instrument, price_fen=price_fen,
        quantity_tonnes=quantity_tonnes, buyer_account_id=buyer, seller_account_id=seller,
        buy_order_id=f"b-{trade_id}", sell_order_id=f"s-{trade_id}",
        buyer_fee_fen=buyer_fee_fen, seller_fee_fen=seller_fee_fen, trading_date=trading_date,
        aggressor=matching.SIDE_BUY,
    )  # fmt: skip
    return from_matching(trade, f"book-{instrument}")


def trading_day_closed(
    trading_date: str, volume_tonnes: int, instrument: str = "CEA-2025"
) -> EventEnvelope:
    """A TradingDayClosed on the book's stream."""
    closed = matching.TradingDayClosed(
        instrument=instrument, trading_date=trading_date, volume_tonnes=volume_tonnes
    )
    return from_matching(closed, f"book-{instrument}")


async def publish(settings: RuntimeSettings, *envelopes: EventEnvelope) -> None:
    """Put envelopes on the matching topic, as the exchange's relay would."""
    await publish_to(settings, "matching", envelopes)


async def registry_applied(
    settings: RuntimeSettings, trade_id: str, *, buyer: str, seller: str, quantity_tonnes: int,
    instrument: str = "CEA-2025",
) -> None:  # fmt: skip
    """Put the registry's TradeDeliveryApplied for a trade on its topic, as its relay would:
    once on the seller's account stream, once on the buyer's."""
    applied = registry.TradeDeliveryApplied(
        trade_id=trade_id, seller_account_id=seller, buyer_account_id=buyer,
        instrument=instrument, quantity_tonnes=quantity_tonnes,
    )  # fmt: skip
    sides = [from_matching(applied, f"account-{party}", "registry") for party in (seller, buyer)]
    await publish_to(settings, "registry", sides)


async def published(
    settings: RuntimeSettings, wanted: Callable[[EventEnvelope], bool]
) -> EventEnvelope:
    """The first envelope on the settlement topic that is ``wanted`` (waits up to 20 s)."""
    return await first_published(settings, "settlement", wanted)
