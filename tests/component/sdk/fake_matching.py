"""A stand-in exchange behind the real ``MatchingService`` contract, for the SDK's and the CLI's
matching commands: it keeps orders, answers reads from fixed trades and depth, and streams a
scripted market-data sequence (with a gap). It does not match: trading is the real service's
job and is tested there and end to end."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from cqx.matching.v1 import events_pb2 as ev
from cqx.matching.v1 import matching_service_pb2 as api
from cqx.matching.v1 import matching_service_pb2_grpc as api_grpc

from cqx_grpc import GrpcServer
from cqx_kernel.errors import FailedPreconditionError, NotFoundError

TODAY = "2025-07-16"
BAND = api.PriceBand(lower_fen=6717, upper_fen=8209)
DEPTH = api.BookDepth(
    trading_mode=ev.TRADING_MODE_CONTINUOUS,
    bids=[
        api.PriceLevel(price_fen=7460, quantity_tonnes=1200, order_count=3),
        api.PriceLevel(price_fen=7455, quantity_tonnes=500, order_count=1),
    ],
    asks=[api.PriceLevel(price_fen=7470, quantity_tonnes=800, order_count=2)],
)
TRADES = [
    api.Trade(
        trade_id=f"CEA-2024-{n}",
        instrument="CEA-2024",
        trading_mode=ev.TRADING_MODE_CONTINUOUS,
        price_fen=7460 + n,
        quantity_tonnes=100 * n,
        buyer_account_id="buyer-1",
        seller_account_id="seller-1",
        aggressor=ev.SIDE_BUY,
        trading_date=TODAY,
    )
    for n in range(1, 31)
]
STATS = api.DailyStatistics(
    trading_date=TODAY,
    open_fen=7461,
    high_fen=7490,
    low_fen=7461,
    close_fen=7475,
    volume_tonnes=46500,
    turnover_fen=347_587_500,
)


class FakeMatching(api_grpc.MatchingServiceServicer):
    """See the module docstring."""

    def __init__(self) -> None:
        self.orders: dict[str, api.Order] = {}
        self.placed: list[api.PlaceOrderRequest] = []
        self.subscriptions = 0
        self.days: dict[str, api.OpenTradingDayRequest] = {}

    async def PlaceOrder(self, request: api.PlaceOrderRequest, context: Any) -> Any:
        self.placed.append(request)
        if not BAND.lower_fen <= request.price_fen <= BAND.upper_fen:
            raise FailedPreconditionError(
                "the price is outside today's band 67.17–82.09",
                reason="PRICE_OUTSIDE_BAND",
                metadata={"lower_fen": "6717", "upper_fen": "8209"},
            )
        order = api.Order(
            order_id=f"o-{len(self.orders) + 1}",
            account_id=request.account_id,
            instrument=request.instrument,
            side=request.side,
            trading_mode=request.trading_mode,
            order_type=request.order_type,
            time_in_force=request.time_in_force,
            price_fen=request.price_fen,
            quantity_tonnes=request.quantity_tonnes,
            filled_tonnes=100,
            remaining_tonnes=request.quantity_tonnes - 100,
            status=api.ORDER_STATUS_PARTIALLY_FILLED,
            trading_date=TODAY,
        )
        self.orders[order.order_id] = order
        fill = api.Fill(trade_id="CEA-2024-1", price_fen=7460, quantity_tonnes=100, fee_fen=746)
        return api.PlaceOrderResponse(order=order, fills=[fill])

    async def CancelOrder(self, request: api.CancelOrderRequest, context: Any) -> Any:
        order = self._order(request.order_id)
        order.status, order.remaining_tonnes = api.ORDER_STATUS_CANCELLED, 0
        order.close_reason = "REQUESTED"
        return api.CancelOrderResponse(order=order)

    async def GetOrder(self, request: api.GetOrderRequest, context: Any) -> Any:
        return api.GetOrderResponse(order=self._order(request.order_id))

    async def ListOrders(self, request: api.ListOrdersRequest, context: Any) -> Any:
        mine = [o for o in self.orders.values() if o.account_id == request.account_id]
        start = int(request.page_token or 0)
        end = start + (request.page_size or 50)
        token = str(end) if end < len(mine) else ""
        return api.ListOrdersResponse(orders=mine[start:end], next_page_token=token)

    async def ListTrades(self, request: api.ListTradesRequest, context: Any) -> Any:
        start = int(request.page_token or 0)
        end = start + (request.page_size or 50)
        return api.ListTradesResponse(
            trades=TRADES[start:end], next_page_token=str(end) if end < len(TRADES) else ""
        )

    async def GetRiskBalance(self, request: api.GetRiskBalanceRequest, context: Any) -> Any:
        held = api.AllowanceBalance(
            instrument="CEA-2024", free_tonnes=9000, reserved_tonnes=1000, pending_tonnes=200
        )
        return api.GetRiskBalanceResponse(
            account_id=request.account_id,
            free_cash_fen=123_456,
            reserved_cash_fen=7_000,
            allowances=[held],
        )

    async def OpenTradingDay(self, request: api.OpenTradingDayRequest, context: Any) -> Any:
        self.days[request.instrument] = request
        return api.OpenTradingDayResponse(
            instrument=request.instrument,
            trading_date=request.trading_date,
            previous_close_fen=request.previous_close_fen,
            listed_band=BAND,
            block_band=api.PriceBand(lower_fen=5225, upper_fen=9701),
        )

    async def GetInstrument(self, request: api.GetInstrumentRequest, context: Any) -> Any:
        day = self.days.get(request.instrument)
        if day is None:
            raise NotFoundError(
                f"no instrument {request.instrument!r}", reason="INSTRUMENT_NOT_FOUND"
            )
        return api.GetInstrumentResponse(
            instrument=day.instrument,
            day_status=api.DAY_STATUS_OPEN,
            trading_date=day.trading_date,
            reference_price_fen=day.previous_close_fen,
            listed_band=BAND,
            fee_bps=5,
            tick_fen=1,
            modes=[ev.TRADING_MODE_CONTINUOUS, ev.TRADING_MODE_LISTED],
            statistics=STATS,
        )

    async def CloseTradingDay(self, request: api.CloseTradingDayRequest, context: Any) -> Any:
        final = api.DailyStatistics()
        final.CopyFrom(STATS)
        final.final = True
        return api.CloseTradingDayResponse(
            instrument=request.instrument,
            statistics=final,
            orders_expired=4,
            exchange_day_closed=True,
        )

    async def StreamMarketData(
        self, request: api.StreamMarketDataRequest, context: Any
    ) -> AsyncIterator[api.MarketDataUpdate]:
        """First subscription: snapshot 5, trade 6, then a gap (8). Later ones: snapshot 9,
        depth 10."""
        self.subscriptions += 1
        name = request.instrument
        empty = api.BookDepth(trading_mode=ev.TRADING_MODE_LISTED)
        snapshot = api.MarketSnapshot(continuous=DEPTH, listed=empty, statistics=STATS)
        if self.subscriptions == 1:
            yield api.MarketDataUpdate(instrument=name, sequence=5, snapshot=snapshot)
            yield api.MarketDataUpdate(
                instrument=name,
                sequence=6,
                trade=api.TradePrint(
                    trade_id="CEA-2024-31",
                    price_fen=7470,
                    quantity_tonnes=300,
                    aggressor=ev.SIDE_BUY,
                ),
            )
            yield api.MarketDataUpdate(instrument=name, sequence=8, statistics=STATS)
            return
        yield api.MarketDataUpdate(instrument=name, sequence=9, snapshot=snapshot)
        thinner = api.BookDepth(trading_mode=ev.TRADING_MODE_CONTINUOUS, bids=DEPTH.bids[:1])
        yield api.MarketDataUpdate(instrument=name, sequence=10, depth=thinner)

    async def StreamExecutions(
        self, request: api.StreamExecutionsRequest, context: Any
    ) -> AsyncIterator[api.Execution]:
        """Two fills of the account's order o-1."""
        for n in (1, 2):
            yield api.Execution(
                trade_id=f"CEA-2024-{n}",
                order_id="o-1",
                account_id=request.account_id,
                instrument="CEA-2024",
                side=ev.SIDE_SELL,
                price_fen=7470,
                quantity_tonnes=100 * n,
                fee_fen=37 * n,
                trading_date=TODAY,
            )

    def _order(self, order_id: str) -> api.Order:
        if order_id not in self.orders:
            raise NotFoundError(f"no order {order_id!r}", reason="ORDER_NOT_FOUND")
        return self.orders[order_id]


@contextlib.asynccontextmanager
async def fake_matching() -> AsyncIterator[tuple[FakeMatching, str]]:
    """Serve a :class:`FakeMatching` on port 0; yield it with its address."""
    # The RPCs it leaves out (block, bidding, ...) answer UNIMPLEMENTED, as the generated
    # base class does; its stubs mark them abstract.
    fake = FakeMatching()  # type: ignore[abstract]
    server = GrpcServer(
        service_names=["cqx.matching.v1.MatchingService"],
        registrations=[lambda s: api_grpc.add_MatchingServiceServicer_to_server(fake, s)],
    )
    port = await server.start()
    await server.set_serving()
    try:
        yield fake, f"127.0.0.1:{port}"
    finally:
        await server.stop(0)
