"""R-A5 through the exchange application: the registry's ParticipantRestricted (a foreign
event) cancels the participant's resting orders, on the log and on the live depth; its new
orders are refused with PARTICIPANT_RESTRICTED; ParticipantReinstated lets it trade again;
the log rebuilds the same exchange."""

from __future__ import annotations

import asyncio

import pytest
from cqx.registry.v1 import events_pb2 as registry

from cqx_kernel.errors import FailedPreconditionError
from cqx_matching.application.publishing import MarketSnapshot
from cqx_matching.domain import DepthSnapshot, MarketDataMessage, Side
from tests.unit.matching_service.given import CEA, harness
from tests.unit.matching_service.test_application import funded, order

RESTRICTED = registry.ParticipantRestricted(
    participant_id="keu-seller", account_ids=["seller"], reason="court order 17"
)
REINSTATED = registry.ParticipantReinstated(participant_id="keu-seller", account_ids=["seller"])


async def test_R_A5_a_restriction_from_the_registry_cancels_and_refuses_until_reinstated() -> None:
    async with harness() as h:
        await funded(h)
        await h.trade(order("s1", "seller", Side.SELL, 300, 6_100))
        await h.trade(order("b1", "buyer", Side.BUY, 100, 5_900))
        depth = h.app.feed.subscribe_market(h.app.exchange, CEA)
        assert isinstance(await depth.next(), MarketSnapshot)
        before = len(await h.recorded())

        await h.foreign("registry", RESTRICTED)
        recorded = (await h.recorded())[before:]
        assert recorded == ["TradingRestricted", "OrderCancelled"]
        assert h.app.orders.orders["s1"].status == "CANCELLED"
        update = await asyncio.wait_for(depth.next(), 5)  # subscribers see the ask leave
        assert isinstance(update, MarketDataMessage)
        assert isinstance(update.payload, DepthSnapshot)
        assert (update.payload.asks, len(update.payload.bids)) == ((), 1)

        head = len(await h.recorded())
        with pytest.raises(FailedPreconditionError) as refused:
            await h.trade(order("s2", "seller", Side.SELL, 100, 5_900))
        assert refused.value.reason == "PARTICIPANT_RESTRICTED"
        assert (await h.recorded())[head:] == ["OrderRejected"]  # audited, nothing else
        assert [o.order_id for o in h.app.exchange.markets[CEA].continuous.open_orders()] == ["b1"]

        await h.foreign("registry", REINSTATED)
        await h.trade(order("s3", "seller", Side.SELL, 100, 5_900))
        assert (await h.recorded())[-3:] == ["TradingReinstated", "OrderAccepted", "TradeExecuted"]
        rebuilt = await h.new_app()
        assert rebuilt.exchange.snapshot() == h.app.exchange.snapshot()
