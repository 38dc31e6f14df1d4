"""The matching service run in-process on real PostgreSQL and Kafka, and how to talk to it."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import grpc
import pytest
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import matching_service_pb2 as api
from cqx.matching.v1 import matching_service_pb2_grpc as api_grpc
from cqx.registry.v1 import events_pb2 as registry
from cqx.settlement.v1 import events_pb2 as settlement
from google.protobuf.message import Message

from cqx_eventstore.postgres import PostgresEventStore
from cqx_grpc import error_info
from cqx_kernel.clock import FixedClock
from cqx_matching.application.app import MatchingApplication
from cqx_matching.bootstrap import builder
from cqx_matching.config import MatchingSettings
from cqx_service import RuntimeSettings
from tests.support import pki
from tests.support.as_owner import AsOwner
from tests.support.bus import first_published, publish_to
from tests.support.service_harness import running

SHANGHAI = timezone(timedelta(hours=8))
MONDAY = "2025-03-03"
MONDAY_MORNING = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)
CLOSE = 6_000  # the previous close: 60.00 CNY per tonne; the band is 54.00-66.00
RICH = 100_000_000  # fen: 1,000,000 CNY
_positions = itertools.count(1)


@dataclass
class Matching:
    """A running matching service: its stub, settings, clock, store reader and application."""

    stub: AsOwner[api_grpc.MatchingServiceStub]
    settings: RuntimeSettings
    clock: FixedClock
    store: PostgresEventStore
    app: MatchingApplication
    channel: grpc.aio.Channel

    async def head(self) -> int:
        """The last recorded position."""
        position, _ = await self.store.head()
        return position

    async def event_types(self, stream: str) -> list[str]:
        """The short type names of a stream's recorded events, in order."""
        return [e.event_type.rsplit(".", 1)[1] for e in await self.store.read_stream(stream)]

    async def open_day(self, instrument: str, previous_close: int = CLOSE) -> None:
        """Open ``instrument`` for today."""
        await self.stub.OpenTradingDay(
            api.OpenTradingDayRequest(
                request_id=rid(), instrument=instrument, trading_date=MONDAY,
                previous_close_fen=previous_close,
            )
        )  # fmt: skip

    async def place(
        self, account: str, instrument: str, side: Any, quantity: int, price: int, **fields: Any
    ) -> api.PlaceOrderResponse:
        """Place an order with a fresh request id."""
        request = api.PlaceOrderRequest(
            request_id=rid(), account_id=account, instrument=instrument, side=side,
            quantity_tonnes=quantity, price_fen=price, **fields,
        )  # fmt: skip
        reply: api.PlaceOrderResponse = await self.stub.PlaceOrder(request)
        return reply

    async def balance(self, account: str) -> api.GetRiskBalanceResponse:
        """An account's risk balance."""
        reply: api.GetRiskBalanceResponse = await self.stub.GetRiskBalance(
            api.GetRiskBalanceRequest(account_id=account)
        )
        return reply

    async def allowances(self, account: str, instrument: str) -> api.AllowanceBalance:
        """An account's position in one instrument (zeros if it has none)."""
        with contextlib.suppress(grpc.aio.AioRpcError):
            for found in (await self.balance(account)).allowances:
                if found.instrument == instrument:
                    return found
        return api.AllowanceBalance(instrument=instrument)

    async def opened(self, account: str, participant: str | None = None) -> None:
        """The registry's AccountOpened for ``account`` (owned by ``participant``, default a
        participant of the same id); waits until the exchange knows the owner."""
        if self.app.directory.owner_of(account) is not None:
            return
        owner = participant or account
        opened = registry.AccountOpened(
            account_id=account,
            name=account,
            participant_id=owner,
            kind=registry.ACCOUNT_KIND_COVERED_ENTITY,
        )
        await inject(self.settings, "registry", opened, f"account-{account}")

        async def known() -> bool:
            return self.app.directory.owner_of(account) == owner

        await eventually(known, within=90)

    async def credit(self, account: str, instrument: str, tonnes: int) -> None:
        """Allowances moved into trading (the registry's event); waits until credited."""
        await self.opened(account)
        before = (await self.allowances(account, instrument)).free_tonnes
        moved = registry.MovedToTrading(
            move_id=rid(), account_id=account, instrument=instrument, quantity_tonnes=tonnes
        )
        await inject(self.settings, "registry", moved, f"account-{account}")

        async def credited() -> bool:
            return (await self.allowances(account, instrument)).free_tonnes >= before + tonnes

        await eventually(credited, within=90)

    async def fund(self, account: str, amount_fen: int = RICH) -> None:
        """Cash deposited (settlement's event); waits until credited."""
        await self.opened(account)
        before = await self.free_cash(account)
        deposit = settlement.FundsDeposited(
            deposit_id=rid(), account_id=account, amount_fen=amount_fen
        )
        await inject(self.settings, "settlement", deposit, f"cash-{account}")

        async def credited() -> bool:
            return await self.free_cash(account) >= before + amount_fen

        await eventually(credited, within=90)

    async def free_cash(self, account: str) -> int:
        """An account's free cash (0 if the exchange does not know it)."""
        try:
            return (await self.balance(account)).free_cash_fen
        except grpc.aio.AioRpcError:
            return 0


@contextlib.asynccontextmanager
async def matching_service(
    settings: RuntimeSettings, clock: FixedClock, own: MatchingSettings | None = None
) -> AsyncIterator[Matching]:
    """Start the service (port 0), yield it with a channel open; stop it afterwards."""
    apps: list[MatchingApplication] = []
    build = builder(own or MatchingSettings(), clock=clock, built=apps.append)
    async with running(settings, build) as runtime:
        store = await PostgresEventStore.connect(settings.database_url, settings.schema)
        address = f"127.0.0.1:{runtime.port}"
        stub = AsOwner(api_grpc.MatchingServiceStub, address)
        try:
            async with pki.channel(address, pki.operator()) as channel:
                yield Matching(stub, settings, clock, store, apps[-1], channel)
        finally:
            await stub.close()
            await store.close()


def rid() -> str:
    """A fresh request id."""
    return str(uuid.uuid4())


async def refused(call: Awaitable[object]) -> tuple[grpc.StatusCode, str]:
    """The status code and ErrorInfo reason a call failed with (it must fail)."""
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await call
    info = error_info(failure.value)
    assert info is not None, "the status carries no ErrorInfo"
    return failure.value.code(), info.reason


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 30) -> None:
    """Wait until ``check`` holds (asserting it does within ``within`` seconds)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def envelope(source: str, message: Message, stream_id: str) -> EventEnvelope:
    """A foreign event as its service's relay puts it on the bus."""
    position = next(_positions)
    return EventEnvelope(
        source=source, position=position, stream_id=stream_id, stream_version=position,
        event_id=str(uuid.uuid4()), event_type=message.DESCRIPTOR.full_name,
        payload=message.SerializeToString(), metadata={"correlation_id": "corr-1"},
    )  # fmt: skip


async def publish(settings: RuntimeSettings, source: str, *envelopes: EventEnvelope) -> None:
    """Put envelopes on ``source``'s topic, as its relay would."""
    await publish_to(settings, source, envelopes)


async def inject(settings: RuntimeSettings, source: str, message: Message, stream_id: str) -> str:
    """Publish one foreign event; its event id."""
    item = envelope(source, message, stream_id)
    await publish(settings, source, item)
    return item.event_id


async def published(
    settings: RuntimeSettings, wanted: Callable[[EventEnvelope], bool], within: float = 20
) -> EventEnvelope:
    """The first envelope on the matching topic that is ``wanted``."""
    return await first_published(settings, "matching", wanted, within)


def of_type(message: type[Message], **fields: object) -> Callable[[EventEnvelope], bool]:
    """Whether an envelope carries a ``message`` whose fields have the values given."""
    name = message.DESCRIPTOR.full_name

    def wanted(item: EventEnvelope) -> bool:
        if item.event_type != name:
            return False
        decoded = message.FromString(item.payload)
        return all(getattr(decoded, k) == v for k, v in fields.items())

    return wanted
