"""The continuous book through gRPC: crossing orders, TradeExecuted, fees, risk, rejections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from cqx.matching.v1 import events_pb2 as events
from cqx.matching.v1 import matching_service_pb2 as api

from cqx_grpc import error_info
from cqx_kernel.clock import FixedClock
from cqx_service import RuntimeSettings
from tests.component.matching.support import (
    MONDAY,
    MONDAY_MORNING,
    RICH,
    Matching,
    matching_service,
    of_type,
    published,
    refused,
    rid,
)
from tests.support import pki

BUY, SELL = events.SIDE_BUY, events.SIDE_SELL
MARKET_TO_LIMIT = events.ORDER_TYPE_MARKET_TO_LIMIT


@pytest.fixture(scope="module")
async def service(settings: RuntimeSettings) -> AsyncIterator[Matching]:
    """One exchange for the module, on Monday 3 March 2025, 10:00 in Shanghai."""
    async with matching_service(settings, FixedClock(MONDAY_MORNING)) as running:
        yield running


async def market(service: Matching, instrument: str, seller: str, buyer: str) -> None:
    """An open instrument; the seller holds 10,000 t in trading, the buyer 1,000,000 CNY."""
    await service.credit(seller, instrument, 10_000)
    await service.fund(buyer, RICH)
    await service.open_day(instrument)


async def test_r_t5_crossing_orders_trade_at_the_makers_price_with_fees_and_publish_the_trade(
    service: Matching,
) -> None:
    await market(service, "CEA-2021", "s-cross", "b-cross")
    resting = await service.place("s-cross", "CEA-2021", SELL, 300, 6_000)
    assert resting.order.status == api.ORDER_STATUS_OPEN
    taken = await service.place("b-cross", "CEA-2021", BUY, 100, 6_100)
    assert taken.order.status == api.ORDER_STATUS_FILLED
    assert [(f.price_fen, f.quantity_tonnes, f.fee_fen) for f in taken.fills] == [
        (6_000, 100, 300)  # 600,000 fen × 5 bps
    ]
    trade = events.TradeExecuted.FromString(
        (
            await published(service.settings, of_type(events.TradeExecuted, instrument="CEA-2021"))
        ).payload
    )
    assert (trade.trade_id, trade.price_fen, trade.quantity_tonnes) == ("CEA-2021-1", 6_000, 100)
    assert (trade.buyer_account_id, trade.seller_account_id) == ("b-cross", "s-cross")
    assert (trade.buy_order_id, trade.sell_order_id) == (
        taken.order.order_id,
        resting.order.order_id,
    )
    assert (trade.buyer_fee_fen, trade.seller_fee_fen) == (300, 300)
    assert (trade.trading_date, trade.aggressor) == (MONDAY, BUY)
    buyer, seller = await service.balance("b-cross"), await service.balance("s-cross")
    assert (buyer.free_cash_fen, buyer.reserved_cash_fen) == (RICH - 600_300, 0)
    assert seller.free_cash_fen == 600_000 - 300  # proceeds are free at once
    (bought,) = buyer.allowances
    assert (bought.free_tonnes, bought.pending_tonnes) == (0, 100)
    (sold,) = seller.allowances
    assert (sold.free_tonnes, sold.reserved_tonnes) == (9_700, 200)


async def test_r_t6_allowances_bought_today_cannot_be_sold_today(service: Matching) -> None:
    await market(service, "CEA-2022", "s-t6", "b-t6")
    await service.place("s-t6", "CEA-2022", SELL, 50, 6_000)
    await service.place("b-t6", "CEA-2022", BUY, 50, 6_000)
    code, reason = await refused(service.place("b-t6", "CEA-2022", SELL, 10, 6_000))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_ALLOWANCES")


async def test_rule_rejections_are_recorded_and_returned_with_their_reason(
    service: Matching,
) -> None:
    await market(service, "CEA-2023", "s-rules", "b-rules")
    await service.fund("poor", 1_000)
    cases = [
        (service.place("b-rules", "CEA-2023", BUY, 10, 6_601), "PRICE_OUTSIDE_BAND"),  # R-T2
        (service.place("b-rules", "CEA-2023", BUY, 10, 5_399), "PRICE_OUTSIDE_BAND"),
        (service.place("poor", "CEA-2023", BUY, 10, 6_000), "INSUFFICIENT_FUNDS"),  # R-T5
        (service.place("s-rules", "CEA-2023", SELL, 10_001, 6_000), "INSUFFICIENT_ALLOWANCES"),
        (service.place("s-rules", "CEA-2023", SELL, 100_000, 6_000), "QUANTITY_TOO_LARGE"),
        (service.place("b-rules", "CEA-2023", BUY, 10, 0, order_type=MARKET_TO_LIMIT),
         "NO_OPPOSITE_ORDERS"),
    ]  # fmt: skip
    for call, expected in cases:
        assert await refused(call) == (grpc.StatusCode.FAILED_PRECONDITION, expected)
    recorded = [
        events.OrderRejected.FromString(e.payload).reason
        for e in await service.store.read_stream("book-CEA-2023")
        if e.event_type == "cqx.matching.v1.OrderRejected"
    ]
    assert recorded == [expected for _, expected in cases]
    assert (await service.balance("poor")).reserved_cash_fen == 0


async def test_malformed_requests_are_invalid_and_record_nothing(service: Matching) -> None:
    await market(service, "CEA-2024", "s-bad", "b-bad")
    head = await service.head()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"quantity_tonnes": 0}, "QUANTITY_NOT_POSITIVE"),
        ({"quantity_tonnes": -5}, "VALUE_OUT_OF_RANGE"),  # the edge: docs/api-bounds.md
        ({"price_fen": 0}, "PRICE_NOT_POSITIVE"),
        ({"price_fen": -1}, "VALUE_OUT_OF_RANGE"),
        ({"instrument": ""}, "INSTRUMENT_MISSING"),
        ({"instrument": "EUA-2024"}, "INSTRUMENT_INVALID"),
        ({"side": events.SIDE_UNSPECIFIED}, "ENUM_VALUE_REQUIRED"),
        ({"side": 99}, "ENUM_VALUE_UNKNOWN"),
        ({"order_type": 99}, "ENUM_VALUE_UNKNOWN"),
        ({"account_id": ""}, "ACCOUNT_ID_MISSING"),
        ({"request_id": ""}, "REQUEST_ID_MISSING"),
        ({"post_only": True, "time_in_force": events.TIME_IN_FORCE_IOC}, "INVALID_ORDER_TYPE"),
        ({"order_type": events.ORDER_TYPE_MARKET_TO_LIMIT}, "PRICE_NOT_ALLOWED"),
        ({"trading_mode": events.TRADING_MODE_BLOCK}, "MODE_HAS_NO_BOOK"),
    ]
    for fields, reason in cases:
        request = api.PlaceOrderRequest(
            request_id=rid(), account_id="b-bad", instrument="CEA-2024", side=BUY,
            quantity_tonnes=10, price_fen=6_000,
        )  # fmt: skip
        for name, value in fields.items():
            setattr(request, name, value)
        code, got = await refused(service.stub.PlaceOrder(request))
        assert (code, got) == (grpc.StatusCode.INVALID_ARGUMENT, reason), fields
    # An account id no participant could own is not the caller's: refused before its form.
    request = api.PlaceOrderRequest(
        request_id=rid(), account_id="no spaces", instrument="CEA-2024", side=BUY,
        quantity_tonnes=10, price_fen=6_000,
    )  # fmt: skip
    code, got = await refused(service.stub.as_(pki.member("b-bad")).PlaceOrder(request))
    assert (code, got) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_YOUR_ACCOUNT")
    assert await service.head() == head


async def test_unknown_instruments_and_orders_are_not_found(service: Matching) -> None:
    await service.opened("b-none")
    code, reason = await refused(service.place("b-none", "CEA-2099", BUY, 10, 6_000))
    assert (code, reason) == (grpc.StatusCode.NOT_FOUND, "UNKNOWN_INSTRUMENT")
    request = api.GetOrderRequest(order_id="no-such-order")
    assert await refused(service.stub.GetOrder(request)) == (
        grpc.StatusCode.NOT_FOUND, "ORDER_NOT_FOUND",
    )  # fmt: skip
    # To a member, an order that does not exist is one that is not its own: it learns nothing.
    mine = service.stub.as_(pki.member("b-none"))
    assert await refused(mine.GetOrder(request)) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_YOURS")
    book = api.GetOrderBookRequest(instrument="CEA-2098")
    assert await refused(service.stub.GetOrderBook(book)) == (
        grpc.StatusCode.NOT_FOUND, "UNKNOWN_INSTRUMENT",
    )  # fmt: skip


async def test_a_retried_order_gets_the_first_answer_and_trades_once(service: Matching) -> None:
    await market(service, "CEA-2025", "s-retry", "b-retry")
    await service.place("s-retry", "CEA-2025", SELL, 100, 6_000)
    request = api.PlaceOrderRequest(
        request_id=rid(), account_id="b-retry", instrument="CEA-2025", side=BUY,
        quantity_tonnes=40, price_fen=6_000,
    )  # fmt: skip
    first = await service.stub.PlaceOrder(request)
    again = await service.stub.PlaceOrder(request)
    assert again == first
    assert (await service.allowances("b-retry", "CEA-2025")).pending_tonnes == 40
    rejected = api.PlaceOrderRequest()
    rejected.CopyFrom(request)
    rejected.request_id, rejected.price_fen = rid(), 9_000
    assert (await refused(service.stub.PlaceOrder(rejected)))[1] == "PRICE_OUTSIDE_BAND"
    assert (await refused(service.stub.PlaceOrder(rejected)))[1] == "PRICE_OUTSIDE_BAND"
    recorded = await service.event_types("book-CEA-2025")
    assert recorded.count("OrderRejected") == 1
    assert recorded.count("TradeExecuted") == 1


async def test_cancel_reduce_and_replace_an_order_and_r_t10_a_filled_one_cannot_be_cancelled(
    service: Matching,
) -> None:
    await market(service, "CEA-2026", "s-amend", "b-amend")
    placed = (await service.place("s-amend", "CEA-2026", SELL, 500, 6_200)).order
    reduce = api.ReduceOrderRequest(
        request_id=rid(), account_id="s-amend", order_id=placed.order_id, quantity_tonnes=300
    )
    reduced = (await service.stub.ReduceOrder(reduce)).order
    assert (reduced.remaining_tonnes, reduced.status) == (300, api.ORDER_STATUS_OPEN)
    assert (await service.allowances("s-amend", "CEA-2026")).reserved_tonnes == 300
    replace = api.ReplaceOrderRequest(
        request_id=rid(), account_id="s-amend", order_id=placed.order_id, price_fen=6_100,
        quantity_tonnes=200,
    )  # fmt: skip
    replaced = (await service.stub.ReplaceOrder(replace)).order
    assert (replaced.price_fen, replaced.remaining_tonnes) == (6_100, 200)
    foreign = api.CancelOrderRequest(
        request_id=rid(), account_id="b-amend", order_id=placed.order_id
    )
    assert (await refused(service.stub.CancelOrder(foreign)))[1] == "NOT_YOURS"
    await service.place("b-amend", "CEA-2026", BUY, 200, 6_100)
    cancel = api.CancelOrderRequest(
        request_id=rid(), account_id="s-amend", order_id=placed.order_id
    )
    code, reason = await refused(service.stub.CancelOrder(cancel))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "ORDER_ALREADY_FILLED")
    # Ownership is checked first: another participant learns nothing, not even that it filled.
    foreign = api.CancelOrderRequest(
        request_id=rid(), account_id="b-amend", order_id=placed.order_id
    )
    assert (await refused(service.stub.CancelOrder(foreign)))[1] == "NOT_YOURS"
    other = (await service.place("s-amend", "CEA-2026", SELL, 100, 6_300)).order
    cancelled = (
        await service.stub.CancelOrder(
            api.CancelOrderRequest(request_id=rid(), account_id="s-amend", order_id=other.order_id)
        )
    ).order
    assert (cancelled.status, cancelled.close_reason) == (api.ORDER_STATUS_CANCELLED, "REQUESTED")
    assert (await service.allowances("s-amend", "CEA-2026")).reserved_tonnes == 0


async def test_orders_trades_and_the_book_are_listed_and_paged(service: Matching) -> None:
    await market(service, "CEA-2027", "s-list", "b-list")
    for price in (6_010, 6_020, 6_020, 6_030):
        await service.place("s-list", "CEA-2027", SELL, 10, price)
    for _ in range(3):
        await service.place("b-list", "CEA-2027", BUY, 5, 6_010)
    book = await service.stub.GetOrderBook(api.GetOrderBookRequest(instrument="CEA-2027", depth=2))
    assert [(x.price_fen, x.quantity_tonnes, x.order_count) for x in book.book.asks] == [
        (6_020, 20, 2), (6_030, 10, 1),
    ]  # fmt: skip
    first = await service.stub.ListOrders(api.ListOrdersRequest(account_id="s-list", page_size=3))
    assert len(first.orders) == 3
    assert first.next_page_token
    rest = await service.stub.ListOrders(
        api.ListOrdersRequest(account_id="s-list", page_size=3, page_token=first.next_page_token)
    )
    assert [o.price_fen for o in [*first.orders, *rest.orders]] == [6_010, 6_020, 6_020, 6_030]
    assert rest.next_page_token == ""
    open_only = await service.stub.ListOrders(
        api.ListOrdersRequest(account_id="s-list", open_only=True)
    )
    assert [o.price_fen for o in open_only.orders] == [6_020, 6_020, 6_030]  # 6,010 filled
    trades = await service.stub.ListTrades(
        api.ListTradesRequest(instrument="CEA-2027", page_size=2)
    )
    assert [t.trade_id for t in trades.trades] == ["CEA-2027-1", "CEA-2027-2"]
    assert all(t.trading_date == MONDAY for t in trades.trades)
    too_large = api.ListTradesRequest(instrument="CEA-2027", page_size=501)
    assert await refused(service.stub.ListTrades(too_large)) == (
        grpc.StatusCode.INVALID_ARGUMENT, "PAGE_SIZE_TOO_LARGE",
    )  # fmt: skip


async def test_a_bidding_window_beyond_the_calendar_is_invalid_and_the_exchange_trades_on(
    service: Matching,
) -> None:
    await market(service, "CEA-2029", "s-far", "b-far")
    start = int(MONDAY_MORNING.timestamp() * 1_000_000)
    before = await service.head()
    for end in (2**63 - 1, 2**62):
        announce = api.AnnounceBiddingRequest(
            request_id=rid(), account_id="s-far", instrument="CEA-2029", side=SELL,
            quantity_tonnes=100, reserve_price_fen=6_000, window_start_us=start,
            window_end_us=end,
        )  # fmt: skip
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            await service.stub.AnnounceBidding(announce)
        info = error_info(failure.value)
        assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert info is not None
        assert (info.reason, info.metadata["field"]) == ("VALUE_OUT_OF_RANGE", "window_end_us")
        assert info.metadata["max"] in failure.value.details()
    assert await service.head() == before  # refused at the edge: nothing recorded
    placed = await service.place("s-far", "CEA-2029", SELL, 100, 6_000)
    assert placed.order.status == api.ORDER_STATUS_OPEN
    assert service.app.broken is None
