"""Rebuild (issue 3): stop the registry, drop its projection tables, start it: the holdings
table is rebuilt from the event store, identical to before."""

from __future__ import annotations

import asyncpg
from cqx.allocation.v1 import events_pb2 as allocation
from cqx.registry.v1 import registry_service_pb2 as api
from cqx.settlement.v1 import events_pb2 as settlement

from cqx_bus import KafkaAccess
from cqx_registry.adapters.holdings_table import HoldingRow
from tests.component.registry.support import (
    CEA,
    Registry,
    envelope,
    eventually,
    publish,
    registry_service,
    rid,
)
from tests.support.service_harness import settings_for


async def test_dropped_projection_tables_are_rebuilt_identical_from_the_log(
    database_url: str, kafka_admin: KafkaAccess, unique_name: str
) -> None:
    settings = settings_for("registry", database_url, kafka_admin, unique_name)
    async with registry_service(settings) as registry:
        await _trade_a_little(registry)
        before = await _projected_when_caught_up(registry)
        holdings_before = await registry.stub.GetHoldings(api.GetHoldingsRequest(account_id="A"))
    assert {(r.account_id, r.instrument) for r in before} == {("A", CEA), ("B", CEA)}
    assert [(r.registry_tonnes, r.trading_tonnes, r.frozen_tonnes) for r in before] == [
        (500 - 300 - 50 - 20, 300 - 120, 20),
        (50, 120, 0),
    ]
    connection = await asyncpg.connect(database_url)  # the superuser
    try:
        schema = settings.schema
        await connection.execute(f"DROP TABLE {schema}.holdings, {schema}.projection_checkpoints")
    finally:
        await connection.close()
    async with registry_service(settings) as registry:
        assert await _projected_when_caught_up(registry) == before
        holdings_after = await registry.stub.GetHoldings(api.GetHoldingsRequest(account_id="A"))
        assert holdings_after == holdings_before


async def _trade_a_little(registry: Registry) -> None:
    for account_id in ("A", "B"):
        await registry.open(account_id)
    issued = allocation.AllocationIssued(
        issuance_id="iss-1",
        entity_id="e",
        account_id="A",
        year=2024,
        instrument=CEA,
        quantity_tonnes=500,
    )
    await publish(registry.settings, "allocation", envelope("allocation", "entity-e", issued))

    await registry.recorded(0, "AllowancesIssued")
    stub = registry.stub
    await stub.MoveToTrading(
        api.MoveToTradingRequest(
            request_id=rid(), account_id="A", instrument=CEA, quantity_tonnes=300
        )
    )
    await stub.TransferAllowances(
        api.TransferAllowancesRequest(
            request_id=rid(),
            from_account_id="A",
            to_account_id="B",
            instrument=CEA,
            quantity_tonnes=50,
        )
    )
    await stub.Freeze(
        api.FreezeRequest(request_id=rid(), account_id="A", instrument=CEA, quantity_tonnes=20)
    )
    await stub.MoveFromTrading(
        api.MoveFromTradingRequest(
            request_id=rid(), account_id="A", instrument=CEA, quantity_tonnes=10
        )
    )
    trade = settlement.TradeSettled(
        trade_id="T-1",
        instrument=CEA,
        quantity_tonnes=120,
        price_fen=6000,
        buyer_account_id="B",
        seller_account_id="A",
    )
    await publish(registry.settings, "settlement", envelope("settlement", "trade-T-1", trade))

    await registry.recorded(0, "TradeDeliveryApplied", "TradeDeliveryApplied")


async def _projected_when_caught_up(registry: Registry) -> list[HoldingRow]:
    async def caught_up() -> bool:
        assert registry.projector is not None
        return await registry.projector.checkpoint() == await registry.head()

    await eventually(caught_up)
    assert registry.projector is not None
    return await registry.projector.rows()
