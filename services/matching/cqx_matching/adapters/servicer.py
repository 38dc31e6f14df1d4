"""``cqx.matching.v1.MatchingService``: requests to commands and queries, answers back."""

from __future__ import annotations

from collections.abc import Sequence

from cqx.matching.v1 import matching_service_pb2 as api
from cqx.matching.v1 import matching_service_pb2_grpc as api_grpc

from cqx_matching.adapters import messages, requests
from cqx_matching.adapters.codec import iso
from cqx_matching.adapters.enums import ENUM_FROM
from cqx_matching.adapters.servicer_base import Answer, Context
from cqx_matching.adapters.servicer_deals import DealServicer
from cqx_matching.adapters.servicer_streams import StreamServicer
from cqx_matching.application import queries
from cqx_matching.application import validation as valid
from cqx_matching.application.app import Subject
from cqx_matching.domain import (
    CancelOrder,
    DayClosed,
    Event,
    OrderExpired,
    ReduceOrder,
    ReplaceOrder,
    TradingDayClosed,
    TradingMode,
)
from cqx_matching.domain.market_data import final_statistics
from cqx_service.paging import window_of

SERVICE_NAME: str = api.DESCRIPTOR.services_by_name["MatchingService"].full_name


class MatchingServicer(DealServicer, StreamServicer, api_grpc.MatchingServiceServicer):
    """The gRPC face of the exchange (proto ↔ command, nothing else)."""

    async def OpenTradingDay(  # noqa: N802 (gRPC's method names)
        self, request: api.OpenTradingDayRequest, context: Context
    ) -> api.OpenTradingDayResponse:
        """Operator: open an instrument for today around the previous close."""
        ids = self._call(request)
        instrument = valid.instrument(request.instrument)
        day = valid.trading_date(request.trading_date) if request.trading_date else None
        previous_close = valid.not_negative(
            request.previous_close_fen, "previous_close_fen", "PREVIOUS_CLOSE_NEGATIVE"
        )

        def answer(_: Sequence[Event]) -> bytes:
            status = queries.instrument_status(self._app.exchange, instrument)
            return api.OpenTradingDayResponse(
                instrument=instrument, trading_date=iso(status.trading_date),
                previous_close_fen=status.reference, listed_band=messages.band(status.listed_band),
                block_band=messages.band(status.block_band),
            ).SerializeToString()  # fmt: skip

        raw = await self._app.open_day(ids, instrument, day, previous_close, answer)
        return api.OpenTradingDayResponse.FromString(raw)

    async def CloseTradingDay(  # noqa: N802
        self, request: api.CloseTradingDayRequest, context: Context
    ) -> api.CloseTradingDayResponse:
        """Operator: expire the instrument's orders and publish its day (R-T9, R-T10)."""
        ids = self._call(request)
        instrument = valid.instrument(request.instrument)

        def answer(events: Sequence[Event]) -> bytes:
            closed = next(e for e in events if isinstance(e, DayClosed))
            return api.CloseTradingDayResponse(
                instrument=instrument, statistics=messages.statistics(final_statistics(closed)),
                orders_expired=sum(isinstance(e, OrderExpired) for e in events),
                exchange_day_closed=any(isinstance(e, TradingDayClosed) for e in events),
            ).SerializeToString()  # fmt: skip

        raw = await self._app.close_day(ids, instrument, answer)
        return api.CloseTradingDayResponse.FromString(raw)

    async def GetInstrument(  # noqa: N802
        self, request: api.GetInstrumentRequest, context: Context
    ) -> api.GetInstrumentResponse:
        """An instrument's configuration, day, bands and figures so far."""
        instrument = valid.instrument(request.instrument)
        app = self._app
        closed = app.orders.closed_days.get(instrument)
        return messages.instrument(queries.instrument_status(app.exchange, instrument, closed))

    async def PlaceOrder(  # noqa: N802
        self, request: api.PlaceOrderRequest, context: Context
    ) -> api.PlaceOrderResponse:
        """A continuous-book order or a listing; the order and what it traded."""
        ids = self._call(request)
        order_id = self._app.new_id()
        make = requests.place_order(request, order_id)
        raw = await self._trade(ids, make, self._order_answer(order_id, fills=True))
        return api.PlaceOrderResponse.FromString(raw)

    async def TakeListing(  # noqa: N802
        self, request: api.TakeListingRequest, context: Context
    ) -> api.TakeListingResponse:
        """A listed taker's trade against a named or the best maker (R-T7, R-T8)."""
        ids = self._call(request)
        order_id = self._app.new_id()
        make = requests.take_listing(request, order_id)
        raw = await self._trade(ids, make, self._order_answer(order_id, fills=True))
        return api.TakeListingResponse.FromString(raw)

    async def CancelOrder(  # noqa: N802
        self, request: api.CancelOrderRequest, context: Context
    ) -> api.CancelOrderResponse:
        """Cancel an open order; a filled one cannot be (R-T10)."""
        ids = self._call(request)
        oid, account = self._order_of(request.account_id, request.order_id)
        raw = await self._trade_on(
            ids, Subject.ORDER, oid,
            lambda instrument, at: CancelOrder(instrument, oid, account, at),
            self._order_answer(oid),
        )  # fmt: skip
        return api.CancelOrderResponse.FromString(raw)

    async def ReduceOrder(  # noqa: N802
        self, request: api.ReduceOrderRequest, context: Context
    ) -> api.ReduceOrderResponse:
        """Lower an open order's remaining quantity; it keeps its place."""
        ids = self._call(request)
        oid, account = self._order_of(request.account_id, request.order_id)
        quantity = valid.positive_quantity(request.quantity_tonnes)
        raw = await self._trade_on(
            ids, Subject.ORDER, oid,
            lambda instrument, at: ReduceOrder(instrument, oid, account, quantity, at),
            self._order_answer(oid),
        )  # fmt: skip
        return api.ReduceOrderResponse.FromString(raw)

    async def ReplaceOrder(  # noqa: N802
        self, request: api.ReplaceOrderRequest, context: Context
    ) -> api.ReplaceOrderResponse:
        """New price and quantity; the order loses its place and may trade."""
        ids = self._call(request)
        oid, account = self._order_of(request.account_id, request.order_id)
        price = valid.positive_price(request.price_fen)
        quantity = valid.positive_quantity(request.quantity_tonnes)
        raw = await self._trade_on(
            ids, Subject.ORDER, oid,
            lambda instrument, at: ReplaceOrder(instrument, oid, account, price, quantity, at),
            self._order_answer(oid, fills=True),
        )  # fmt: skip
        return api.ReplaceOrderResponse.FromString(raw)

    async def GetOrder(  # noqa: N802
        self, request: api.GetOrderRequest, context: Context
    ) -> api.GetOrderResponse:
        """An order by id."""
        order_id = valid.identifier(request.order_id, "order_id")
        return api.GetOrderResponse(order=messages.order(queries.order(self._app.orders, order_id)))

    async def ListOrders(  # noqa: N802
        self, request: api.ListOrdersRequest, context: Context
    ) -> api.ListOrdersResponse:
        """An account's orders, oldest first, a page at a time."""
        account = valid.account_id(request.account_id)
        instrument = valid.instrument(request.instrument) if request.instrument else ""
        page = window_of(request.page_size, request.page_token)
        found, token = queries.orders_page(
            self._app.orders, account, instrument, request.open_only, page
        )
        return api.ListOrdersResponse(
            orders=[messages.order(v) for v in found], next_page_token=token
        )

    async def GetOrderBook(  # noqa: N802
        self, request: api.GetOrderBookRequest, context: Context
    ) -> api.GetOrderBookResponse:
        """L2 depth of the continuous or the listed book (with the listings a taker may name)."""
        instrument = valid.instrument(request.instrument)
        mode = ENUM_FROM[TradingMode].get(request.trading_mode, TradingMode.CONTINUOUS)
        shown, listings = queries.book(self._app.exchange, instrument, request.depth, mode)
        return api.GetOrderBookResponse(
            instrument=instrument, book=messages.depth(shown),
            listings=[messages.listing(x) for x in listings],
        )  # fmt: skip

    async def ListTrades(  # noqa: N802
        self, request: api.ListTradesRequest, context: Context
    ) -> api.ListTradesResponse:
        """An instrument's trades, oldest first, a page at a time."""
        instrument = valid.instrument(request.instrument)
        account = valid.account_id(request.account_id) if request.account_id else ""
        day = valid.trading_date(request.trading_date) if request.trading_date else None
        page = window_of(request.page_size, request.page_token)
        found, token = queries.trades_page(self._app.orders, instrument, account, day, page)
        return api.ListTradesResponse(
            trades=[messages.trade_record(r) for r in found], next_page_token=token
        )

    async def GetRiskBalance(  # noqa: N802
        self, request: api.GetRiskBalanceRequest, context: Context
    ) -> api.GetRiskBalanceResponse:
        """An account's free and reserved cash and allowances."""
        account = valid.account_id(request.account_id)
        app = self._app
        return messages.risk_balance(queries.risk_balance(app.exchange, app.orders, account))

    @staticmethod
    def _order_of(account_id: str, order_id: str) -> tuple[str, str]:
        account = valid.account_id(account_id)
        return valid.identifier(order_id, "order_id"), account

    def _order_answer(self, order_id: str, fills: bool = False) -> Answer:
        """The order after the command (and its fills): every order response has this shape
        (``order = 1``, ``fills = 2``), so one encoding serves them all."""
        orders = self._app.orders

        def answer(events: Sequence[Event]) -> bytes:
            order = messages.order(orders.orders[order_id])
            shown = messages.fills(events, order_id) if fills else []
            return api.PlaceOrderResponse(order=order, fills=shown).SerializeToString()

        return answer
