"""R-A5 across the services, as real processes on real PostgreSQL and Kafka: an operator
restricts a participant at the registry; the exchange, told through Kafka, cancels its resting
orders and refuses its new ones; another member's order stays; reinstated, it trades again."""

from __future__ import annotations

import pytest

from cqx_local import LocalSystem
from cqx_sdk import CqxApiError, CqxClient, Side
from tests.e2e import scenario
from tests.e2e.scenario import BUYER, INSTRUMENT, SELLER, client_for, eventually

pytestmark = pytest.mark.slow
SELL_PRICE, BUY_PRICE = 7_450, 7_400  # apart: both orders rest


async def test_R_A5_a_restriction_at_the_registry_cancels_the_resting_orders_at_the_exchange(
    system: LocalSystem,
) -> None:
    async with client_for(system) as client:
        await scenario.open_market(client)
        await scenario.fund_and_move(client)
        sell = await client.matching.place_order(SELLER, INSTRUMENT, Side.SELL, SELL_PRICE, 500)
        buy = await client.matching.place_order(BUYER, INSTRUMENT, Side.BUY, BUY_PRICE, 200)

        restricted = await client.registry.restrict_participant(SELLER, "court order 17")
        assert restricted.account_ids == (SELLER,)

        async def cancelled() -> bool:
            order = await client.matching.get_order(sell.order.order_id)
            return order.status == "cancelled"

        await eventually(cancelled)
        order = await client.matching.get_order(sell.order.order_id)
        assert (order.close_reason, order.cancelled_tonnes) == ("PARTICIPANT_RESTRICTED", 500)
        assert (await client.matching.get_order(buy.order.order_id)).status == "open"
        risk = await client.matching.risk_balance(SELLER)
        assert risk.of(INSTRUMENT).free_tonnes == scenario.TO_TRADING  # released, untouched
        with pytest.raises(CqxApiError) as refused:
            await client.matching.place_order(SELLER, INSTRUMENT, Side.SELL, BUY_PRICE, 100)
        assert (refused.value.code, refused.value.reason) == (
            "FAILED_PRECONDITION",
            "PARTICIPANT_RESTRICTED",
        )
        with pytest.raises(CqxApiError) as transfer:
            await client.registry.transfer(SELLER, BUYER, INSTRUMENT, 1)
        assert transfer.value.reason == "PARTICIPANT_RESTRICTED"

        await client.registry.reinstate_participant(SELLER)
        await eventually(lambda: _sells_again(client))
        assert (await client.matching.get_order(buy.order.order_id)).status == "filled"


async def _sells_again(client: CqxClient) -> bool:
    """Whether the seller's order into the buyer's is accepted (the exchange has been told of
    the reinstatement through Kafka: until then it is refused)."""
    try:
        await client.matching.place_order(SELLER, INSTRUMENT, Side.SELL, BUY_PRICE, 200)
    except CqxApiError as error:
        if error.reason == "PARTICIPANT_RESTRICTED":
            return False
        raise
    return True
