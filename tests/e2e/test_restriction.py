"""R-A5 across the services, as real processes on real PostgreSQL and Kafka: an operator
restricts a participant at the registry; the exchange, told through Kafka, cancels its resting
orders and refuses its new ones; another member's order stays; reinstated, it trades again."""

from __future__ import annotations

import pytest

from cqx_local import LocalSystem
from cqx_sdk import CqxApiError, CqxClient, Side
from tests.e2e import scenario
from tests.e2e.scenario import BUYER, INSTRUMENT, SELLER, eventually, refusal

pytestmark = pytest.mark.slow
SELL_PRICE, BUY_PRICE = 7_450, 7_400  # apart: both orders rest


async def test_R_A5_a_restriction_at_the_registry_cancels_the_resting_orders_at_the_exchange(
    system: LocalSystem,
) -> None:
    async with scenario.market(system) as day:
        await scenario.open_market(day)
        await scenario.fund_and_move(day)
        seller, buyer = day.seller, day.buyer
        sell = await seller.matching.place_order(SELLER, INSTRUMENT, Side.SELL, SELL_PRICE, 500)
        buy = await buyer.matching.place_order(BUYER, INSTRUMENT, Side.BUY, BUY_PRICE, 200)

        restricted = await day.operator.registry.restrict_participant(SELLER, "court order 17")
        assert restricted.account_ids == (SELLER,)

        async def cancelled() -> bool:
            order = await seller.matching.get_order(sell.order.order_id)
            return order.status == "cancelled"

        await eventually(cancelled)
        order = await seller.matching.get_order(sell.order.order_id)
        assert (order.close_reason, order.cancelled_tonnes) == ("PARTICIPANT_RESTRICTED", 500)
        assert (await buyer.matching.get_order(buy.order.order_id)).status == "open"
        risk = await seller.matching.risk_balance(SELLER)
        assert risk.of(INSTRUMENT).free_tonnes == scenario.TO_TRADING  # released, untouched
        again = seller.matching.place_order(SELLER, INSTRUMENT, Side.SELL, BUY_PRICE, 100)
        assert await refusal(again) == ("FAILED_PRECONDITION", "PARTICIPANT_RESTRICTED")
        transfer = seller.registry.transfer(SELLER, BUYER, INSTRUMENT, 1)
        assert await refusal(transfer) == ("FAILED_PRECONDITION", "PARTICIPANT_RESTRICTED")

        await day.operator.registry.reinstate_participant(SELLER)
        await eventually(lambda: _sells_again(seller))
        assert (await buyer.matching.get_order(buy.order.order_id)).status == "filled"


async def _sells_again(seller: CqxClient) -> bool:
    """Whether the seller's order into the buyer's is accepted (the exchange has been told of
    the reinstatement through Kafka: until then it is refused)."""
    try:
        await seller.matching.place_order(SELLER, INSTRUMENT, Side.SELL, BUY_PRICE, 200)
    except CqxApiError as error:
        if error.reason == "PARTICIPANT_RESTRICTED":
            return False
        raise
    return True
