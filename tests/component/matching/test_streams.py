"""Server streams: market data (a snapshot, then sequenced updates) and an account's fills."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
from cqx.matching.v1 import events_pb2 as events
from cqx.matching.v1 import matching_service_pb2 as api

from cqx_kernel.clock import FixedClock
from cqx_service import RuntimeSettings
from tests.component.matching.support import (
    MONDAY,
    MONDAY_MORNING,
    RICH,
    Matching,
    eventually,
    matching_service,
    refused,
)

BUY, SELL = events.SIDE_BUY, events.SIDE_SELL


@pytest.fixture(scope="module")
async def service(settings: RuntimeSettings) -> AsyncIterator[Matching]:
    """One exchange for the module."""
    async with matching_service(settings, FixedClock(MONDAY_MORNING)) as running:
        yield running


async def next_update(stream: AsyncIterator[api.MarketDataUpdate]) -> api.MarketDataUpdate:
    """The next market data message (within 10 s)."""
    return await asyncio.wait_for(anext(stream), 10)


async def test_market_data_starts_with_a_snapshot_then_updates_in_sequence(
    service: Matching,
) -> None:
    await service.credit("md-seller", "CEA-2024", 1_000)
    await service.fund("md-buyer", RICH)
    await service.open_day("CEA-2024")
    await service.place("md-seller", "CEA-2024", SELL, 100, 6_050)  # before the subscription
    call = service.stub.StreamMarketData(api.StreamMarketDataRequest(instrument="CEA-2024"))
    stream = call.__aiter__()
    try:
        snapshot = await next_update(stream)
        assert snapshot.WhichOneof("body") == "snapshot"
        asks = snapshot.snapshot.continuous.asks
        assert [(a.price_fen, a.quantity_tonnes) for a in asks] == [(6_050, 100)]
        await service.place("md-seller", "CEA-2024", SELL, 100, 6_000)
        await service.place("md-buyer", "CEA-2024", BUY, 40, 6_000)
        updates = [await next_update(stream) for _ in range(4)]
    finally:
        call.cancel()
    assert [u.sequence for u in updates] == [snapshot.sequence + n for n in (1, 2, 3, 4)]
    assert [u.WhichOneof("body") for u in updates] == ["depth", "trade", "depth", "statistics"]
    assert [(a.price_fen, a.quantity_tonnes) for a in updates[0].depth.asks] == [
        (6_000, 100), (6_050, 100),
    ]  # fmt: skip
    trade = updates[1].trade
    assert (trade.trade_id, trade.price_fen, trade.quantity_tonnes, trade.aggressor) == (
        "CEA-2024-1", 6_000, 40, BUY,
    )  # fmt: skip
    assert updates[2].depth.asks[0].quantity_tonnes == 60
    statistics = updates[3].statistics
    assert (statistics.trading_date, statistics.volume_tonnes, statistics.final) == (
        MONDAY, 40, False,
    )  # fmt: skip


async def test_market_data_of_an_unknown_instrument_is_not_found(service: Matching) -> None:
    call = service.stub.StreamMarketData(api.StreamMarketDataRequest(instrument="CEA-2090"))
    assert await refused(anext(call.__aiter__())) == (
        grpc.StatusCode.NOT_FOUND, "UNKNOWN_INSTRUMENT",
    )  # fmt: skip


async def test_an_account_streams_its_own_fills(service: Matching) -> None:
    await service.credit("ex-seller", "CEA-2025", 1_000)
    await service.fund("ex-buyer", RICH)
    await service.open_day("CEA-2025")
    call = service.stub.StreamExecutions(api.StreamExecutionsRequest(account_id="ex-buyer"))
    stream = call.__aiter__()
    reading = asyncio.ensure_future(anext(stream))

    async def subscribed() -> bool:
        return service.app.feed.streams_of("ex-buyer") == 1

    try:
        await eventually(subscribed)
        await service.place("ex-seller", "CEA-2025", SELL, 100, 6_000)
        bought = await service.place("ex-buyer", "CEA-2025", BUY, 70, 6_000)
        fill = await asyncio.wait_for(reading, 10)
    finally:
        call.cancel()
    assert (fill.account_id, fill.order_id, fill.side) == ("ex-buyer", bought.order.order_id, BUY)
    assert (fill.trade_id, fill.price_fen, fill.quantity_tonnes, fill.fee_fen) == (
        "CEA-2025-1", 6_000, 70, 210,
    )  # fmt: skip
    assert fill.trading_date == MONDAY
