"""The four services as real processes on real PostgreSQL and Kafka: one market day, end to end,
then the same day with each service killed (SIGKILL) and restarted in the middle."""

from __future__ import annotations

import pytest

from cqx_eventstore.migrate import service_dsn
from cqx_eventstore.postgres import PostgresEventStore
from cqx_local import SERVICES, LocalSystem
from cqx_sdk import CqxClient, Side
from tests.e2e import scenario
from tests.e2e.scenario import (
    BUYER,
    DEPOSIT,
    INSTRUMENT,
    ISSUED,
    SELL_PRICE,
    SELLER,
    TO_TRADING,
    TRADED,
    Market,
    Outcome,
    refusal,
)

pytestmark = pytest.mark.slow


async def run_day(day: Market, system: LocalSystem, kill: str | None = None) -> Outcome:
    """The scenario; with ``kill``, that service is SIGKILLed and restarted twice on the way:
    after the allocation is issued, and right after the orders cross."""
    await scenario.open_market(day)
    await crash(system, kill)
    await scenario.fund_and_move(day)
    await scenario.cross(day)
    await crash(system, kill)
    return await scenario.settled_outcome(day)


async def crash(system: LocalSystem, service: str | None) -> None:
    if service is not None:
        system.kill(service)
        system.restart(service)


def expected(fee_total: int) -> Outcome:
    notional = SELL_PRICE * TRADED
    buyer_fee = seller_fee = fee_total // 2  # same bps on both sides of one trade
    return Outcome(
        seller_registry=ISSUED - TO_TRADING,
        seller_trading=TO_TRADING - TRADED,
        buyer_trading=TRADED,
        seller_cash=notional - seller_fee,
        buyer_cash=DEPOSIT - notional - buyer_fee,
        fee_cash=fee_total,
        fee_total=fee_total,
        registry_conserved=True,
        cash_conserved=True,
    )


async def assert_logs_intact(system: LocalSystem, database_url: str, namespace: str) -> None:
    """Every service's hash chain verifies from the raw log."""
    for service in SERVICES:
        schema = f"{namespace}{service}"
        store = await PostgresEventStore.connect(service_dsn(database_url, schema), schema)
        try:
            assert await store.verify() is None, f"{service}'s log is broken"
        finally:
            await store.close()


async def fee_bps(client: CqxClient) -> int:
    return (await client.matching.instrument(scenario.INSTRUMENT)).fee_bps


async def test_a_trade_settles_to_the_tonne_and_the_fen(
    system: LocalSystem, database_url: str, unique_name: str
) -> None:
    async with scenario.market(system) as day:
        outcome = await run_day(day, system)
        bps = await fee_bps(day.buyer)
        one_side = SELL_PRICE * TRADED * bps // 10_000  # exact: 7,450,000 fen × bps / 10,000
        assert outcome == expected(2 * one_side)
        # Each member sees its own only, in every service; the operator never trades.
        assert await refusal(day.buyer.settlement.cash_balance(SELLER)) == (
            "PERMISSION_DENIED", "NOT_YOUR_ACCOUNT"
        )  # fmt: skip
        assert await refusal(day.seller.matching.risk_balance(BUYER)) == (
            "PERMISSION_DENIED", "NOT_YOUR_ACCOUNT"
        )  # fmt: skip
        order = day.operator.matching.place_order(BUYER, INSTRUMENT, Side.BUY, SELL_PRICE, 1)
        assert await refusal(order) == ("PERMISSION_DENIED", "ROLE_NOT_ALLOWED")
    await assert_logs_intact(system, database_url, f"{unique_name}_")


@pytest.mark.parametrize("service", list(SERVICES))
async def test_a_service_killed_mid_day_loses_nothing_and_applies_nothing_twice(
    system: LocalSystem, database_url: str, unique_name: str, service: str
) -> None:
    async with scenario.market(system) as day:
        outcome = await run_day(day, system, kill=service)
        bps = await fee_bps(day.buyer)
    assert outcome == expected(2 * (SELL_PRICE * TRADED * bps // 10_000))
    await assert_logs_intact(system, database_url, f"{unique_name}_")
