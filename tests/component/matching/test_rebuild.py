"""A restart rebuilds the exchange from its own log: the same books, balances and orders."""

from __future__ import annotations

import secrets

from cqx.matching.v1 import events_pb2 as events
from cqx.matching.v1 import matching_service_pb2 as api
from google.protobuf.message import Message

from cqx_bus import KafkaAccess
from cqx_kernel.clock import FixedClock
from tests.component.matching.support import (
    MONDAY_MORNING,
    RICH,
    Matching,
    matching_service,
    refused,
)
from tests.support.service_harness import settings_for

BUY, SELL = events.SIDE_BUY, events.SIDE_SELL
CEA = "CEA-2024"


async def views(service: Matching) -> list[Message]:
    """What clients see of the market and the two accounts."""
    stub = service.stub
    return [
        await stub.GetOrderBook(api.GetOrderBookRequest(instrument=CEA, depth=10)),
        await stub.GetOrderBook(
            api.GetOrderBookRequest(instrument=CEA, trading_mode=events.TRADING_MODE_LISTED)
        ),
        await stub.GetInstrument(api.GetInstrumentRequest(instrument=CEA)),
        await service.balance("r-seller"),
        await service.balance("r-buyer"),
        await stub.ListOrders(api.ListOrdersRequest(account_id="r-seller")),
        await stub.ListOrders(api.ListOrdersRequest(account_id="r-buyer")),
        await stub.ListTrades(api.ListTradesRequest(instrument=CEA)),
    ]


async def test_a_restart_rebuilds_the_same_exchange_and_trading_goes_on(
    database_url: str, kafka_admin: KafkaAccess
) -> None:
    settings = settings_for("matching", database_url, kafka_admin, f"t_{secrets.token_hex(4)}")
    clock = FixedClock(MONDAY_MORNING)
    async with matching_service(settings, clock) as first:
        await first.credit("r-seller", CEA, 5_000)
        await first.fund("r-buyer", RICH)
        await first.open_day(CEA)
        for price in (6_000, 6_010, 6_010, 6_020):
            await first.place("r-seller", CEA, SELL, 100, price)
        await first.place("r-buyer", CEA, BUY, 150, 6_010)
        await first.place("r-buyer", CEA, BUY, 80, 5_950)
        await first.place("r-seller", CEA, SELL, 70, 6_030, trading_mode=events.TRADING_MODE_LISTED)
        await refused(first.place("r-buyer", CEA, BUY, 10, 9_999))
        before = await views(first)
        state = first.app.exchange.snapshot()
    async with matching_service(settings, clock) as second:
        assert second.app.exchange.snapshot() == state
        assert await views(second) == before
        taken = await second.place("r-buyer", CEA, BUY, 50, 6_010)
        assert [(f.trade_id, f.price_fen, f.quantity_tonnes) for f in taken.fills] == [
            ("CEA-2024-3", 6_010, 50),
        ]  # fmt: skip
