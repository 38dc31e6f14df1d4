"""Holdings through the API and the bus: issue, move, trade, transfer, surrender, freeze.

Foreign events are put on the allocation, matching and settlement topics (each twice: the
second delivery must change nothing); the registry's own events are read back from its topic.
"""

from __future__ import annotations

import grpc
from cqx.allocation.v1 import events_pb2 as allocation
from cqx.matching.v1 import events_pb2 as matching
from cqx.registry.v1 import registry_service_pb2 as api
from cqx.settlement.v1 import events_pb2 as settlement

from cqx_bus import KafkaAccess
from tests.component.registry.support import (
    CEA,
    Registry,
    envelope,
    publish,
    published,
    refusal,
    registry_service,
    rid,
)
from tests.support.service_harness import settings_for


async def test_allowances_flow_between_positions_accounts_and_out_of_circulation(
    database_url: str, kafka_admin: KafkaAccess, unique_name: str
) -> None:
    settings = settings_for("registry", database_url, kafka_admin, unique_name)
    async with registry_service(settings) as registry:
        for account_id in ("SELLER", "BUYER"):
            await registry.open(account_id)
        await _issuance_credits_the_registry_position(registry)
        await _moves_into_and_out_of_trading(registry)
        await _settled_trades_move_trading_positions(registry)
        await _transfers_complete_or_terminate_on_record(registry)
        await _surrender_cancel_and_freeze(registry)
        conserved = await registry.stub.CheckConservation(api.CheckConservationRequest())
        assert conserved.holds
        assert [c.instrument for c in conserved.instruments] == ["CEA-2019-2020", CEA]


async def _issuance_credits_the_registry_position(registry: Registry) -> None:
    issuances = [
        allocation.AllocationIssued(
            issuance_id=f"iss-{i}",
            entity_id="e1",
            account_id=account,
            year=2024,
            instrument=code,
            quantity_tonnes=tonnes,
        )
        for i, (account, code, tonnes) in enumerate(
            [("SELLER", CEA, 1000), ("SELLER", "CEA-2019-2020", 50), ("GHOST", CEA, 7)]
        )
    ]
    before = await registry.head()
    await publish(
        registry.settings,
        "allocation",
        *(envelope("allocation", "entity-e1", m) for m in issuances),
    )
    await registry.recorded(before, "AllowancesIssued", "AllowancesIssued", "IssuanceRejected")
    assert (await registry.holding("SELLER")).registry_tonnes == 1000  # delivered twice, once
    assert (await registry.event_types()).count("AllowancesIssued") == 2


async def _moves_into_and_out_of_trading(registry: Registry) -> None:
    stub = registry.stub
    moved = await stub.MoveToTrading(
        api.MoveToTradingRequest(
            request_id=rid(), account_id="SELLER", instrument=CEA, quantity_tonnes=600
        )
    )
    assert (moved.holding.registry_tonnes, moved.holding.trading_tonnes) == (400, 600)
    seen = await published(registry.settings, lambda e: e.event_type.endswith("MovedToTrading"))
    assert seen.stream_id == "account-SELLER"
    asked = [
        await stub.MoveFromTrading(
            api.MoveFromTradingRequest(
                request_id=rid(), account_id="SELLER", instrument=CEA, quantity_tonnes=q
            )
        )
        for q in (100, 50)
    ]
    assert asked[-1].holding.pending_out_tonnes == 150
    assert await refusal(
        stub.MoveFromTrading(
            api.MoveFromTradingRequest(
                request_id=rid(), account_id="SELLER", instrument=CEA, quantity_tonnes=451
            )
        )
    ) == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_TRADING_POSITION")
    approved = matching.AllowanceWithdrawalApproved(
        move_id=asked[0].move_id, account_id="SELLER", instrument=CEA, quantity_tonnes=100
    )
    refused = matching.AllowanceWithdrawalRefused(
        move_id=asked[1].move_id,
        account_id="SELLER",
        instrument=CEA,
        quantity_tonnes=50,
        reason="RESERVED_BY_OPEN_ORDERS",
    )
    before = await registry.head()
    await publish(
        registry.settings,
        "matching",
        envelope("matching", "risk-SELLER", approved),
        envelope("matching", "risk-SELLER", refused),
    )

    await registry.recorded(before, "MovedFromTrading", "MoveFromTradingRefused")
    held = await registry.holding("SELLER")
    assert held.pending_out_tonnes == 0
    assert (held.registry_tonnes, held.trading_tonnes) == (500, 500)


async def _settled_trades_move_trading_positions(registry: Registry) -> None:
    trade = settlement.TradeSettled(
        trade_id="T-1",
        instrument=CEA,
        quantity_tonnes=200,
        price_fen=7463,
        buyer_account_id="BUYER",
        seller_account_id="SELLER",
        trading_date="2026-03-02",
    )
    before = await registry.head()
    await publish(registry.settings, "settlement", envelope("settlement", "trade-T-1", trade))

    await registry.recorded(before, "TradeDeliveryApplied", "TradeDeliveryApplied")
    assert (await registry.holding("BUYER")).trading_tonnes == 200
    assert (await registry.holding("SELLER")).trading_tonnes == 300
    assert await registry.event_types(before) == ["TradeDeliveryApplied"] * 2
    past = await registry.stub.GetHoldings(
        api.GetHoldingsRequest(account_id="BUYER", as_of_position=before)
    )
    assert (list(past.holdings), past.position) == ([], before)


async def _transfers_complete_or_terminate_on_record(registry: Registry) -> None:
    stub = registry.stub
    done = await stub.TransferAllowances(
        api.TransferAllowancesRequest(
            request_id=rid(),
            from_account_id="SELLER",
            to_account_id="BUYER",
            instrument=CEA,
            quantity_tonnes=100,
        )
    )
    assert (done.from_holding.registry_tonnes, done.to_holding.registry_tonnes) == (400, 100)
    before = await registry.head()
    request = api.TransferAllowancesRequest(
        request_id=rid(),
        from_account_id="BUYER",
        to_account_id="SELLER",
        instrument=CEA,
        quantity_tonnes=101,
    )
    assert await refusal(stub.TransferAllowances(request)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "INSUFFICIENT_REGISTRY_POSITION",
    )
    assert await registry.event_types(before) == ["TransferProposed", "TransferTerminated"]
    assert await refusal(stub.TransferAllowances(request)) == (  # the retry: same answer
        grpc.StatusCode.FAILED_PRECONDITION,
        "INSUFFICIENT_REGISTRY_POSITION",
    )
    assert await registry.event_types(before) == ["TransferProposed", "TransferTerminated"]


async def _surrender_cancel_and_freeze(registry: Registry) -> None:
    stub = registry.stub
    early = api.SurrenderRequest(
        request_id=rid(),
        account_id="SELLER",
        instrument=CEA,
        quantity_tonnes=10,
        compliance_year=2023,
    )
    assert await refusal(stub.Surrender(early)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "VINTAGE_AFTER_COMPLIANCE_YEAR",
    )
    old = await stub.Surrender(
        api.SurrenderRequest(
            request_id=rid(),
            account_id="SELLER",
            instrument="CEA-2019-2020",
            quantity_tonnes=50,
            compliance_year=2020,
        )
    )
    assert old.holding.registry_tonnes == 0
    cancelled = await stub.CancelAllowances(
        api.CancelAllowancesRequest(
            request_id=rid(), account_id="SELLER", instrument=CEA, quantity_tonnes=40
        )
    )
    assert cancelled.holding.registry_tonnes == 360
    frozen = await stub.Freeze(
        api.FreezeRequest(
            request_id=rid(),
            account_id="SELLER",
            instrument=CEA,
            quantity_tonnes=300,
            reason="court order 2026-17",
        )
    )
    assert (frozen.holding.registry_tonnes, frozen.holding.frozen_tonnes) == (60, 300)
    assert await refusal(
        stub.Surrender(
            api.SurrenderRequest(
                request_id=rid(),
                account_id="SELLER",
                instrument=CEA,
                quantity_tonnes=61,
                compliance_year=2024,
            )
        )
    ) == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_REGISTRY_POSITION")
    released = await stub.Unfreeze(
        api.UnfreezeRequest(request_id=rid(), freeze_id=frozen.freeze_id, quantity_tonnes=100)
    )
    assert (released.remaining_frozen_tonnes, released.holding.registry_tonnes) == (200, 160)
    check = await stub.CheckConservation(api.CheckConservationRequest(instrument=CEA))
    (parts,) = check.instruments
    assert (
        parts.issued_tonnes,
        parts.registry_tonnes,
        parts.trading_tonnes,
        parts.frozen_tonnes,
        parts.surrendered_tonnes,
        parts.cancelled_tonnes,
    ) == (1000, 160 + 100, 500, 200, 0, 40)
    assert parts.holds
