"""Trades settled from the exchange's events, end of day, and a restart that rebuilds it all."""

from __future__ import annotations

import functools
import secrets
from collections.abc import AsyncIterator

import grpc
import pytest
from cqx.settlement.v1 import events_pb2
from cqx.settlement.v1 import settlement_service_pb2 as api

from cqx_bus import KafkaAccess
from cqx_service import RuntimeSettings
from tests.component.settlement.support import (
    FEES,
    Settlement,
    consuming,
    eventually,
    publish,
    published,
    refused,
    registry_applied,
    rid,
    settlement_service,
    trade_executed,
    trading_day_closed,
)
from tests.support.service_harness import settings_for


@pytest.fixture(scope="module")
def settings(database_url: str, kafka_admin: KafkaAccess) -> RuntimeSettings:
    """One namespace for the module; each test uses its own accounts and dates."""
    return settings_for("settlement", database_url, kafka_admin, f"t_{secrets.token_hex(4)}")


@pytest.fixture(scope="module")
async def service(settings: RuntimeSettings) -> AsyncIterator[Settlement]:
    """One settlement service for the module."""
    async with settlement_service(settings) as running:
        await consuming(running)
        yield running


async def settlement(service: Settlement, trade_id: str) -> api.TradeSettlement:
    """How a trade stands."""
    request = api.GetTradeSettlementRequest(trade_id=trade_id)
    reply: api.GetTradeSettlementResponse = await service.stub.GetTradeSettlement(request)
    return reply.settlement


async def settled(service: Settlement, trade_id: str) -> None:
    """Wait until the trade has settled (or failed)."""

    async def done() -> bool:
        status = (await settlement(service, trade_id)).status
        return status in (api.SETTLEMENT_STATUS_SETTLED, api.SETTLEMENT_STATUS_FAILED)

    await eventually(done)


async def delivery_recorded(service: Settlement, trade_id: str) -> None:
    """Wait until the registry's answers for both sides of the trade are in the settlement
    log."""

    async def recorded() -> bool:
        types = await service.event_types(f"trade-{trade_id}")
        return types.count("DeliveryConfirmed") == 2

    await eventually(recorded, within=90)  # a fresh broker may be slow to seat a new group


async def close_day(service: Settlement, trading_date: str, **expected: int) -> api.SettlementDay:
    """Close a settlement day with a fresh request id."""
    request = api.CloseSettlementDayRequest(request_id=rid(), trading_date=trading_date, **expected)
    reply: api.CloseSettlementDayResponse = await service.stub.CloseSettlementDay(request)
    return reply.day


async def test_r_s1_a_trade_settles_both_legs_and_is_published_for_the_registry(
    service: Settlement,
) -> None:
    await service.deposit("buyer-1", 10_000_000)
    await publish(
        service.settings,
        trade_executed(
            "T-100", buyer="buyer-1", seller="seller-1", price_fen=7_463,
            quantity_tonnes=1_000, trading_date="2025-03-03", buyer_fee_fen=3_732,
            seller_fee_fen=3_731,
        ),
    )  # fmt: skip
    await settled(service, "T-100")
    found = await settlement(service, "T-100")
    assert found.status == api.SETTLEMENT_STATUS_SETTLED
    assert (found.buyer_paid_fen, found.seller_received_fen, found.fee_fen) == (
        7_466_732, 7_459_269, 7_463,
    )  # fmt: skip
    legs = {(leg.kind, leg.from_account_id, leg.to_account_id): leg for leg in found.legs}
    assert legs[(api.LEG_KIND_ALLOWANCE, "seller-1", "buyer-1")].quantity_tonnes == 1_000
    assert legs[(api.LEG_KIND_CASH, "buyer-1", "seller-1")].amount_fen == 7_463_000
    assert legs[(api.LEG_KIND_CASH, "buyer-1", FEES)].amount_fen == 3_732
    assert legs[(api.LEG_KIND_CASH, "seller-1", FEES)].amount_fen == 3_731
    assert (await service.balance("buyer-1")).balance_fen == 10_000_000 - 7_466_732
    assert (await service.balance("seller-1")).balance_fen == 7_459_269
    envelope = await published(service.settings, lambda e: e.stream_id == "trade-T-100")
    delivered = events_pb2.TradeSettled.FromString(envelope.payload)
    assert (delivered.seller_account_id, delivered.buyer_account_id) == ("seller-1", "buyer-1")
    assert delivered.quantity_tonnes == 1_000
    assert envelope.metadata["correlation_id"] == "corr-1"


async def test_a_trade_reported_twice_settles_once(service: Settlement) -> None:
    await service.deposit("buyer-2", 1_000_000)
    report = functools.partial(
        trade_executed, buyer="buyer-2", seller="seller-2", price_fen=6_000,
        quantity_tonnes=10, trading_date="2025-03-04",
    )  # fmt: skip
    await publish(service.settings, report("T-200"), report("T-200"), report("T-201"))
    await settled(service, "T-201")
    assert (await service.balance("buyer-2")).balance_fen == 1_000_000 - 2 * 60_000

    async def recorded_once() -> bool:  # memory shows decisions a commit ahead of the log
        return await service.event_types("trade-T-200") == ["TradeSettled"]

    await eventually(recorded_once)


async def test_r_s1_a_trade_the_buyer_cannot_pay_fails_and_moves_nothing(
    service: Settlement,
) -> None:
    await publish(
        service.settings,
        trade_executed(
            "T-300", buyer="broke-co", seller="seller-3", price_fen=7_000,
            quantity_tonnes=5, trading_date="2025-03-05",
        ),
    )  # fmt: skip
    await settled(service, "T-300")
    found = await settlement(service, "T-300")
    assert (found.status, found.failure_reason) == (
        api.SETTLEMENT_STATUS_FAILED, "INSUFFICIENT_FUNDS",
    )  # fmt: skip
    assert not found.legs
    assert await refused(service.balance("seller-3")) == (
        grpc.StatusCode.NOT_FOUND, "CASH_ACCOUNT_NOT_FOUND",
    )  # fmt: skip


async def test_an_unknown_trade_is_reported_unknown(service: Settlement) -> None:
    assert (await settlement(service, "T-never")).status == api.SETTLEMENT_STATUS_UNKNOWN


async def test_settlements_are_listed_a_page_at_a_time_by_date(service: Settlement) -> None:
    await service.deposit("buyer-4", 1_000_000)
    for n in range(3):
        await publish(
            service.settings,
            trade_executed(
                f"T-40{n}", buyer="buyer-4", seller="seller-4", price_fen=5_000,
                quantity_tonnes=1 + n, trading_date="2025-03-06",
            ),
        )  # fmt: skip
    await settled(service, "T-402")
    first = await service.stub.ListSettlements(
        api.ListSettlementsRequest(page_size=2, trading_date="2025-03-06")
    )
    rest = await service.stub.ListSettlements(
        api.ListSettlementsRequest(
            page_size=2, trading_date="2025-03-06", page_token=first.next_page_token
        )
    )
    ids = [s.trade_id for s in (*first.settlements, *rest.settlements)]
    assert ids == ["T-400", "T-401", "T-402"]
    assert first.next_page_token
    assert not rest.next_page_token
    too_big = service.stub.ListSettlements(api.ListSettlementsRequest(page_size=501))
    assert await refused(too_big) == (grpc.StatusCode.INVALID_ARGUMENT, "PAGE_SIZE_TOO_LARGE")


async def test_r_s2_the_day_closes_only_after_the_exchange_closed_it_and_volumes_agree(
    service: Settlement,
) -> None:
    date = "2025-03-07"
    await service.deposit("buyer-5", 10_000_000)
    await publish(
        service.settings,
        trade_executed(
            "T-500", buyer="buyer-5", seller="seller-5", price_fen=7_000,
            quantity_tonnes=100, trading_date=date, buyer_fee_fen=35,
        ),
    )  # fmt: skip
    await settled(service, "T-500")
    assert await refused(close_day(service, date)) == (
        grpc.StatusCode.FAILED_PRECONDITION, "TRADING_DAY_NOT_CLOSED",
    )  # fmt: skip

    await publish(service.settings, trading_day_closed(date, 100))

    async def reported() -> bool:
        day = await service.stub.GetSettlementDay(api.GetSettlementDayRequest(trading_date=date))
        return len(day.day.exchange_volumes) == 1

    await eventually(reported)
    # The registry has not yet said it applied the allowance leg: the day waits, unbroken.
    assert await refused(close_day(service, date)) == (
        grpc.StatusCode.FAILED_PRECONDITION, "DELIVERIES_PENDING",
    )  # fmt: skip
    await registry_applied(
        service.settings, "T-500", buyer="buyer-5", seller="seller-5", quantity_tonnes=100
    )
    await delivery_recorded(service, "T-500")
    day = await close_day(service, date, expected_trade_count=1, expected_volume_tonnes=100)
    assert day.status == api.SETTLEMENT_DAY_STATUS_CLOSED
    assert (day.trades_settled, day.tonnes_delivered, day.cash_moved_fen) == (1, 100, 700_035)
    assert "SettlementDayClosed" in await service.event_types(f"day-{date}")


async def test_r_s2_a_volume_mismatch_is_a_recorded_break_that_blocks_the_close(
    service: Settlement,
) -> None:
    date = "2025-03-10"
    await service.deposit("buyer-6", 10_000_000)
    await publish(
        service.settings,
        trade_executed(
            "T-600", buyer="buyer-6", seller="seller-6", price_fen=7_000,
            quantity_tonnes=100, trading_date=date,
        ),
        trading_day_closed(date, 150),
    )  # fmt: skip
    # The registry answers only for a trade settlement published: never before it settled.
    await settled(service, "T-600")
    await registry_applied(
        service.settings, "T-600", buyer="buyer-6", seller="seller-6", quantity_tonnes=100
    )
    await delivery_recorded(service, "T-600")

    async def reported() -> bool:
        day = await service.stub.GetSettlementDay(api.GetSettlementDayRequest(trading_date=date))
        return len(day.day.exchange_volumes) == 1

    await eventually(reported)
    request = api.CloseSettlementDayRequest(request_id=rid(), trading_date=date)
    for _ in range(2):  # the retry gets the same refusal, and records no second break
        assert await refused(service.stub.CloseSettlementDay(request)) == (
            grpc.StatusCode.FAILED_PRECONDITION, "RECONCILIATION_BREAK",
        )  # fmt: skip
    reply = await service.stub.GetSettlementDay(api.GetSettlementDayRequest(trading_date=date))
    assert reply.day.status == api.SETTLEMENT_DAY_STATUS_BROKEN
    (found,) = reply.day.breaks
    assert (found.instrument, found.expected, found.actual) == ("CEA-2025", 150, 100)
    assert (await service.event_types(f"day-{date}")).count("ReconciliationBreak") == 1


async def test_cash_is_conserved_across_deposits_trades_and_fees(service: Settlement) -> None:
    check = await service.stub.CheckConservation(api.CheckConservationRequest())
    assert check.holds
    assert check.total_balances_fen == check.deposited_fen - check.withdrawn_fen
    assert check.fee_account_balance_fen >= 7_463 + 35
