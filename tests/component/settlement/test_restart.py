"""A restarted settlement service rebuilds the same ledger from its own log."""

from __future__ import annotations

from cqx.settlement.v1 import settlement_service_pb2 as api

from cqx_bus import KafkaAccess
from tests.component.settlement.support import (
    consuming,
    eventually,
    publish,
    rid,
    settlement_service,
    trade_executed,
)
from tests.support.service_harness import settings_for


async def test_a_restarted_service_answers_exactly_as_before_and_settles_nothing_twice(
    database_url: str, kafka_admin: KafkaAccess, unique_name: str
) -> None:
    settings = settings_for("settlement", database_url, kafka_admin, unique_name)
    trade = trade_executed(
        "T-1", buyer="buyer", seller="seller", price_fen=7_463, quantity_tonnes=10,
        trading_date="2025-03-14", buyer_fee_fen=4, seller_fee_fen=3,
    )  # fmt: skip
    async with settlement_service(settings) as first:
        await consuming(first)
        await first.deposit("buyer", 1_000_000)
        pending = await first.stub.RequestWithdrawal(
            api.RequestWithdrawalRequest(request_id=rid(), account_id="buyer", amount_fen=10_000)
        )
        await publish(settings, trade)

        async def settled() -> bool:
            reply = await first.stub.GetTradeSettlement(
                api.GetTradeSettlementRequest(trade_id="T-1")
            )
            return bool(reply.settlement.status == api.SETTLEMENT_STATUS_SETTLED)

        await eventually(settled)
        before = await first.stub.CheckConservation(api.CheckConservationRequest())
        buyer_before = await first.balance("buyer")
    await publish(settings, trade)  # the exchange's relay repeats itself while we are down
    async with settlement_service(settings) as second:
        assert await second.stub.CheckConservation(api.CheckConservationRequest()) == before
        assert await second.balance("buyer") == buyer_before
        assert buyer_before.pending_withdrawals_fen == 10_000
        held = await second.stub.GetWithdrawal(
            api.GetWithdrawalRequest(withdrawal_id=pending.withdrawal.withdrawal_id)
        )
        assert held.withdrawal.status == api.WITHDRAWAL_STATUS_PENDING
        assert await second.event_types("trade-T-1") == ["TradeSettled"]
    assert before.holds
    assert before.fee_account_balance_fen == 7
