"""The trading day through gRPC: sessions (R-T4), the close (R-T9, R-T10) and D+1 (R-T6).

The tests run in order on one exchange: the last closes Monday and trades on Tuesday.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

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
    matching_service,
    of_type,
    published,
    refused,
    rid,
)

BUY, SELL = events.SIDE_BUY, events.SIDE_SELL
CEA = "CEA-2024"
FAILED = grpc.StatusCode.FAILED_PRECONDITION


@pytest.fixture(scope="module")
async def service(settings: RuntimeSettings) -> AsyncIterator[Matching]:
    """One exchange; CEA-2024 opens on Monday with the seller and the buyer funded."""
    async with matching_service(settings, FixedClock(MONDAY_MORNING)) as running:
        await running.credit("seller", CEA, 10_000)
        await running.fund("buyer", RICH)
        await running.open_day(CEA)
        yield running


def open_request(
    instrument: str, trading_date: str = MONDAY, close: int = 6_000
) -> api.OpenTradingDayRequest:
    """An OpenTradingDay request with a fresh request id."""
    return api.OpenTradingDayRequest(
        request_id=rid(), instrument=instrument, trading_date=trading_date,
        previous_close_fen=close,
    )  # fmt: skip


async def test_r_t4_orders_outside_the_sessions_are_rejected(service: Matching) -> None:
    service.clock.advance(timedelta(hours=2))  # 12:00, the lunch break
    try:
        code, reason = await refused(service.place("buyer", CEA, BUY, 10, 6_000))
        assert (code, reason) == (FAILED, "SESSION_CLOSED")
    finally:
        service.clock.advance(timedelta(hours=-2))


async def test_a_day_opens_only_for_today_once_and_with_a_reference_price(
    service: Matching,
) -> None:
    tomorrow = await refused(service.stub.OpenTradingDay(open_request("CEA-2025", "2025-03-04")))
    assert tomorrow == (FAILED, "TRADING_DATE_NOT_TODAY")
    again = await refused(service.stub.OpenTradingDay(open_request(CEA)))
    assert again == (FAILED, "DAY_ALREADY_OPEN")
    no_close = await refused(service.stub.OpenTradingDay(open_request("CEA-2025", close=0)))
    assert no_close == (FAILED, "PREVIOUS_CLOSE_REQUIRED")
    await service.credit("seller", "CCER-P1-B1", 100)  # listed, never opened
    assert await refused(service.place("seller", "CCER-P1-B1", SELL, 10, 6_000)) == (
        FAILED, "DAY_NOT_OPEN",
    )  # fmt: skip
    bad = open_request("CEA-2025", "3 March")
    assert await refused(service.stub.OpenTradingDay(bad)) == (
        grpc.StatusCode.INVALID_ARGUMENT, "TRADING_DATE_INVALID",
    )  # fmt: skip
    opened = await service.stub.OpenTradingDay(open_request("CEA-2025", "", close=6_005))
    assert opened.trading_date == MONDAY  # no date: today
    assert (opened.listed_band.lower_fen, opened.listed_band.upper_fen) == (5_405, 6_605)
    assert (opened.block_band.lower_fen, opened.block_band.upper_fen) == (4_204, 7_806)


async def test_r_t9_r_t10_r_t6_the_close_publishes_the_vwap_expires_orders_and_matures_purchases(
    service: Matching,
) -> None:
    await service.place("seller", CEA, SELL, 100, 6_000)
    await service.place("buyer", CEA, BUY, 100, 6_000)
    await service.place("seller", CEA, SELL, 300, 6_100)
    await service.place("buyer", CEA, BUY, 300, 6_100)
    resting = (await service.place("seller", CEA, SELL, 50, 6_500)).order
    close = api.CloseTradingDayRequest(request_id=rid(), instrument=CEA)
    assert await refused(service.stub.CloseTradingDay(close)) == (FAILED, "SESSION_STILL_OPEN")
    service.clock.advance(timedelta(hours=5))  # 15:00
    closed_other = await service.stub.CloseTradingDay(
        api.CloseTradingDayRequest(request_id=rid(), instrument="CEA-2025")
    )
    assert not closed_other.exchange_day_closed  # CEA-2024 still trades
    closed = await service.stub.CloseTradingDay(
        api.CloseTradingDayRequest(request_id=rid(), instrument=CEA)
    )
    s = closed.statistics
    assert (s.open_fen, s.high_fen, s.low_fen) == (6_000, 6_100, 6_000)
    assert s.close_fen == 6_075  # (600,000 + 1,830,000) / 400
    assert (s.volume_tonnes, s.turnover_fen, s.final) == (400, 2_430_000, True)
    assert (closed.orders_expired, closed.exchange_day_closed) == (1, True)
    day = events.TradingDayClosed.FromString(
        (
            await published(service.settings, of_type(events.TradingDayClosed, instrument=CEA))
        ).payload
    )
    assert (day.trading_date, day.close_fen, day.volume_tonnes) == (MONDAY, 6_075, 400)
    expired = await service.stub.GetOrder(api.GetOrderRequest(order_id=resting.order_id))
    assert expired.order.status == api.ORDER_STATUS_EXPIRED
    assert (await service.allowances("seller", CEA)).reserved_tonnes == 0
    assert await refused(service.place("buyer", CEA, BUY, 10, 6_000)) == (FAILED, "DAY_NOT_OPEN")
    assert (await service.allowances("buyer", CEA)).free_tonnes == 400  # R-T6: sellable now
    # Between days, the instrument shows its closed day and that day's final figures.
    shown = await service.stub.GetInstrument(api.GetInstrumentRequest(instrument=CEA))
    assert (shown.day_status, shown.trading_date) == (api.DAY_STATUS_CLOSED, MONDAY)
    f = shown.statistics
    assert (f.close_fen, f.volume_tonnes, f.turnover_fen, f.final) == (6_075, 400, 2_430_000, True)

    service.clock.advance(timedelta(hours=19))  # Tuesday 10:00
    tuesday = await service.stub.OpenTradingDay(open_request(CEA, "2025-03-04", close=0))
    assert tuesday.previous_close_fen == 6_075  # carried from Monday's close
    reopened = await service.stub.GetInstrument(api.GetInstrumentRequest(instrument=CEA))
    assert (reopened.day_status, reopened.statistics.volume_tonnes) == (api.DAY_STATUS_OPEN, 0)
    assert (tuesday.listed_band.lower_fen, tuesday.listed_band.upper_fen) == (5_468, 6_682)
    sold = await service.place("buyer", CEA, SELL, 400, 6_075)
    assert sold.order.status == api.ORDER_STATUS_OPEN
