"""The exchange as a client sees it: trading days, orders, books, trades, risk, live data."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from cqx.matching.v1 import matching_service_pb2 as api
from cqx.matching.v1 import matching_service_pb2_grpc as api_grpc

from cqx_sdk.channels import ServiceChannel
from cqx_sdk.dates import today_in_shanghai
from cqx_sdk.exchange_status import DayClose, InstrumentStatus, RiskBalance, TradingDay
from cqx_sdk.market_data import Execution, MarketDataUpdate
from cqx_sdk.matching_deals import DealDesk
from cqx_sdk.matching_views import (
    BookDepth,
    DailyStatistics,
    Listing,
    Order,
    OrderBook,
    OrderResult,
    OrderType,
    Side,
    TimeInForce,
    Trade,
    TradingMode,
)
from cqx_sdk.paging import DEFAULT_PAGE_SIZE


class MatchingClient(DealDesk):
    """The matching service's RPCs as what a trader or the operator does
    (``client.matching``). Prices are fen per tonne, quantities tonnes. Block deals and
    one-way biddings are the :class:`~cqx_sdk.matching_deals.DealDesk` methods."""

    def __init__(self, channel: ServiceChannel) -> None:
        self._channel = channel
        self._stub = api_grpc.MatchingServiceStub(channel.channel)

    async def open_trading_day(
        self,
        instrument: str,
        previous_close_fen: int = 0,
        *,
        trading_date: str | None = None,
        request_id: str | None = None,
    ) -> TradingDay:
        """Operator: open an instrument for trading today (Asia/Shanghai) around the previous
        close (0: the close carried from its last day)."""
        reply: api.OpenTradingDayResponse = await self._channel.mutate(
            self._stub.OpenTradingDay,
            api.OpenTradingDayRequest,
            request_id,
            instrument=instrument,
            previous_close_fen=previous_close_fen,
            trading_date=trading_date or today_in_shanghai(),
        )
        return TradingDay.from_proto(reply)

    async def close_trading_day(
        self, instrument: str, *, request_id: str | None = None
    ) -> DayClose:
        """Operator: close an instrument's day (open orders expire; close = VWAP, R-T9)."""
        reply: api.CloseTradingDayResponse = await self._channel.mutate(
            self._stub.CloseTradingDay,
            api.CloseTradingDayRequest,
            request_id,
            instrument=instrument,
        )
        return DayClose(
            reply.instrument,
            DailyStatistics.from_proto(reply.statistics),
            reply.orders_expired,
            reply.exchange_day_closed,
        )

    async def instrument(self, instrument: str) -> InstrumentStatus:
        """An instrument's day, bands, fee, tick and figures so far."""
        request = api.GetInstrumentRequest(instrument=instrument)
        reply: api.GetInstrumentResponse = await self._channel.call(
            self._stub.GetInstrument, request
        )
        return InstrumentStatus.from_proto(reply)

    async def place_order(
        self,
        account_id: str,
        instrument: str,
        side: Side,
        price_fen: int,
        quantity: int,
        *,
        time_in_force: TimeInForce = TimeInForce.DAY,
        order_type: OrderType = OrderType.LIMIT,
        post_only: bool = False,
        trading_mode: TradingMode = TradingMode.CONTINUOUS,
        request_id: str | None = None,
    ) -> OrderResult:
        """Place an order (a limit day order unless told otherwise; ``price_fen`` 0 for
        market-to-limit; LISTED posts a listed-agreement listing). A rule it breaks is a
        ``CqxApiError`` with the reason (PRICE_OUTSIDE_BAND, INSUFFICIENT_FUNDS, ...)."""
        reply: api.PlaceOrderResponse = await self._channel.mutate(
            self._stub.PlaceOrder,
            api.PlaceOrderRequest,
            request_id,
            account_id=account_id,
            instrument=instrument,
            side=side.to_proto(),
            order_type=order_type.to_proto(),
            time_in_force=time_in_force.to_proto(),
            post_only=post_only,
            price_fen=price_fen,
            quantity_tonnes=quantity,
            trading_mode=trading_mode.to_proto(),
        )
        return OrderResult.from_proto(reply.order, list(reply.fills))

    async def take_listing(
        self,
        account_id: str,
        instrument: str,
        side: Side,
        quantity: int,
        *,
        maker_order_id: str = "",
        limit_price_fen: int = 0,
        request_id: str | None = None,
    ) -> OrderResult:
        """Listed agreement: trade at once against a named listing (or the best one) at the
        maker's price (R-T7, R-T8)."""
        reply: api.TakeListingResponse = await self._channel.mutate(
            self._stub.TakeListing,
            api.TakeListingRequest,
            request_id,
            account_id=account_id,
            instrument=instrument,
            side=side.to_proto(),
            quantity_tonnes=quantity,
            maker_order_id=maker_order_id,
            limit_price_fen=limit_price_fen,
        )
        return OrderResult.from_proto(reply.order, list(reply.fills))

    async def cancel_order(
        self, account_id: str, order_id: str, *, request_id: str | None = None
    ) -> Order:
        """Cancel an open order (a filled one is refused, R-T10)."""
        reply: api.CancelOrderResponse = await self._channel.mutate(
            self._stub.CancelOrder,
            api.CancelOrderRequest,
            request_id,
            account_id=account_id,
            order_id=order_id,
        )
        return Order.from_proto(reply.order)

    async def reduce_order(
        self, account_id: str, order_id: str, remaining: int, *, request_id: str | None = None
    ) -> Order:
        """Lower an open order's remaining quantity; it keeps its place."""
        reply: api.ReduceOrderResponse = await self._channel.mutate(
            self._stub.ReduceOrder,
            api.ReduceOrderRequest,
            request_id,
            account_id=account_id,
            order_id=order_id,
            quantity_tonnes=remaining,
        )
        return Order.from_proto(reply.order)

    async def replace_order(
        self,
        account_id: str,
        order_id: str,
        price_fen: int,
        remaining: int,
        *,
        request_id: str | None = None,
    ) -> OrderResult:
        """New price and remaining quantity; the order loses its place (and may trade)."""
        reply: api.ReplaceOrderResponse = await self._channel.mutate(
            self._stub.ReplaceOrder,
            api.ReplaceOrderRequest,
            request_id,
            account_id=account_id,
            order_id=order_id,
            price_fen=price_fen,
            quantity_tonnes=remaining,
        )
        return OrderResult.from_proto(reply.order, list(reply.fills))

    async def get_order(self, order_id: str) -> Order:
        """One order."""
        request = api.GetOrderRequest(order_id=order_id)
        reply: api.GetOrderResponse = await self._channel.call(self._stub.GetOrder, request)
        return Order.from_proto(reply.order)

    def list_orders(
        self,
        account_id: str,
        instrument: str = "",
        *,
        open_only: bool = False,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncIterator[Order]:
        """An account's orders, oldest first (of one instrument, or only open ones)."""
        return self._channel.paged(
            self._stub.ListOrders,
            api.ListOrdersRequest,
            "orders",
            Order.from_proto,
            account_id=account_id,
            instrument=instrument,
            open_only=open_only,
            page_size=page_size,
        )

    async def order_book(
        self, instrument: str, depth: int = 5, trading_mode: TradingMode = TradingMode.CONTINUOUS
    ) -> OrderBook:
        """An instrument's best levels (the listed book: with its listings)."""
        request = api.GetOrderBookRequest(
            instrument=instrument, depth=depth, trading_mode=trading_mode.to_proto()
        )
        reply: api.GetOrderBookResponse = await self._channel.call(self._stub.GetOrderBook, request)
        listings = tuple(
            Listing(item.order_id, Side.from_proto(item.side), item.price_fen, item.quantity_tonnes)
            for item in reply.listings
        )
        return OrderBook(reply.instrument, BookDepth.from_proto(reply.book), listings)

    def list_trades(
        self,
        instrument: str,
        *,
        account_id: str = "",
        trading_date: str = "",
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncIterator[Trade]:
        """An instrument's trades, oldest first (of one account or one day, if given)."""
        return self._channel.paged(
            self._stub.ListTrades,
            api.ListTradesRequest,
            "trades",
            Trade.from_proto,
            instrument=instrument,
            account_id=account_id,
            trading_date=trading_date,
            page_size=page_size,
        )

    async def risk_balance(self, account_id: str) -> RiskBalance:
        """What an account may spend and sell, and what its open orders hold back."""
        request = api.GetRiskBalanceRequest(account_id=account_id)
        reply: api.GetRiskBalanceResponse = await self._channel.call(
            self._stub.GetRiskBalance, request
        )
        return RiskBalance.from_proto(reply)

    def stream_market_data(self, instrument: str) -> AsyncGenerator[MarketDataUpdate, None]:
        """An instrument's market data: a snapshot, then updates, until the server ends the
        stream or the caller stops iterating."""

        async def updates() -> AsyncGenerator[MarketDataUpdate, None]:
            request = api.StreamMarketDataRequest(instrument=instrument)
            async for m in self._channel.stream(self._stub.StreamMarketData, request):
                yield MarketDataUpdate.from_proto(m)

        return updates()

    def stream_executions(self, account_id: str) -> AsyncGenerator[Execution, None]:
        """An account's fills as they are committed."""

        async def fills() -> AsyncGenerator[Execution, None]:
            request = api.StreamExecutionsRequest(account_id=account_id)
            async for m in self._channel.stream(self._stub.StreamExecutions, request):
                yield Execution.from_proto(m)

        return fills()
