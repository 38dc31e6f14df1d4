"""Listed agreement (R-T7, R-T8), one-way bidding (R-T11) and block agreement (R-T3) through
gRPC. The tests run in order on one exchange whose clock moves from 10:00 to the afternoon."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import grpc
import pytest
from cqx.matching.v1 import events_pb2 as events
from cqx.matching.v1 import matching_service_pb2 as api

from cqx_kernel.clock import FixedClock
from cqx_matching.domain import timestamp
from cqx_service import RuntimeSettings
from tests.component.matching.support import (
    MONDAY_MORNING,
    RICH,
    Matching,
    matching_service,
    of_type,
    published,
    refused,
    rid,
)

BUY, SELL = events.SIDE_BUY, events.SIDE_SELL
LISTED = events.TRADING_MODE_LISTED
FAILED = grpc.StatusCode.FAILED_PRECONDITION


@pytest.fixture(scope="module")
async def service(settings: RuntimeSettings) -> AsyncIterator[Matching]:
    """One exchange for the module, from Monday 10:00."""
    async with matching_service(settings, FixedClock(MONDAY_MORNING)) as running:
        yield running


def take(account: str, instrument: str, quantity: int, **fields: Any) -> api.TakeListingRequest:
    """A buyer's TakeListing request with a fresh request id."""
    return api.TakeListingRequest(
        request_id=rid(), account_id=account, instrument=instrument, side=BUY,
        quantity_tonnes=quantity, **fields,
    )  # fmt: skip


async def test_r_t7_r_t8_a_taker_trades_with_a_named_or_the_best_listing_at_its_price(
    service: Matching,
) -> None:
    await service.credit("maker", "CEA-2024", 1_000)
    await service.fund("taker", RICH)
    await service.open_day("CEA-2024")
    dear = (await service.place("maker", "CEA-2024", SELL, 500, 6_100, trading_mode=LISTED)).order
    await service.place("maker", "CEA-2024", SELL, 200, 6_050, trading_mode=LISTED)
    book = await service.stub.GetOrderBook(
        api.GetOrderBookRequest(instrument="CEA-2024", trading_mode=LISTED)
    )
    assert [(x.price_fen, x.quantity_tonnes) for x in book.listings] == [(6_050, 200), (6_100, 500)]
    named = await service.stub.TakeListing(
        take("taker", "CEA-2024", 300, maker_order_id=dear.order_id)
    )
    assert [(f.price_fen, f.quantity_tonnes) for f in named.fills] == [(6_100, 300)]
    assert named.order.status == api.ORDER_STATUS_FILLED
    best = await service.stub.TakeListing(take("taker", "CEA-2024", 1_000))
    assert [(f.price_fen, f.quantity_tonnes) for f in best.fills] == [(6_050, 200)]  # R-T8
    worse = take("taker", "CEA-2024", 10, maker_order_id=dear.order_id, limit_price_fen=6_000)
    assert await refused(service.stub.TakeListing(worse)) == (FAILED, "PRICE_WORSE_THAN_LIMIT")
    missing = take("taker", "CEA-2024", 10, maker_order_id="no-such-listing")
    assert await refused(service.stub.TakeListing(missing)) == (
        grpc.StatusCode.NOT_FOUND, "MAKER_NOT_FOUND",
    )  # fmt: skip


async def test_r_t11_bids_fill_by_price_then_time_at_the_close_of_the_window(
    service: Matching,
) -> None:
    await service.credit("initiator", "CEA-2025", 1_000)
    for bidder in ("bid-a", "bid-b", "bid-c"):
        await service.fund(bidder, RICH)
    await service.open_day("CEA-2025")
    start = timestamp(service.clock.now())
    announced = await service.stub.AnnounceBidding(
        api.AnnounceBiddingRequest(
            request_id=rid(), account_id="initiator", instrument="CEA-2025", side=SELL,
            quantity_tonnes=1_000, reserve_price_fen=6_000, window_start_us=start,
            window_end_us=start + 30 * 60 * 1_000_000,
        )
    )  # fmt: skip
    auction_id = announced.auction.auction_id
    assert (await service.allowances("initiator", "CEA-2025")).reserved_tonnes == 1_000
    for bidder, quantity, price in (("bid-a", 600, 6_100), ("bid-b", 600, 6_050),
                                    ("bid-c", 200, 6_000)):  # fmt: skip
        await service.stub.SubmitBid(
            api.SubmitBidRequest(
                request_id=rid(), account_id=bidder, auction_id=auction_id, price_fen=price,
                quantity_tonnes=quantity,
            )
        )  # fmt: skip
    low = api.SubmitBidRequest(
        request_id=rid(), account_id="bid-c", auction_id=auction_id, price_fen=5_999,
        quantity_tonnes=10,
    )  # fmt: skip
    assert await refused(service.stub.SubmitBid(low)) == (FAILED, "BID_WORSE_THAN_RESERVE")
    early = api.CloseBiddingRequest(request_id=rid(), auction_id=auction_id)
    assert await refused(service.stub.CloseBidding(early)) == (FAILED, "BIDDING_WINDOW_NOT_OVER")
    service.clock.advance(timedelta(minutes=31))
    closed = await service.stub.CloseBidding(
        api.CloseBiddingRequest(request_id=rid(), auction_id=auction_id)
    )
    assert (closed.auction.status, closed.auction.filled_tonnes) == (
        api.AUCTION_STATUS_CLOSED,
        1_000,
    )
    assert [(t.buyer_account_id, t.price_fen, t.quantity_tonnes) for t in closed.trades] == [
        ("bid-a", 6_100, 600), ("bid-b", 6_050, 400),
    ]  # fmt: skip
    assert (await service.balance("bid-c")).reserved_cash_fen == 0  # released


async def test_r_t3_a_block_deal_needs_the_afternoon_100000_t_and_both_parties(
    service: Matching,
) -> None:
    await service.credit("blk-seller", "CEA-2026", 200_000)
    await service.fund("blk-buyer", 1_000_000_000)
    await service.open_day("CEA-2026")
    propose = api.ProposeBlockTradeRequest(
        request_id=rid(), account_id="blk-seller", instrument="CEA-2026", side=SELL,
        price_fen=6_000, quantity_tonnes=100_000, counterparty_account_id="blk-buyer",
    )  # fmt: skip
    assert await refused(service.stub.ProposeBlockTrade(propose)) == (FAILED, "SESSION_CLOSED")
    service.clock.advance(timedelta(hours=3))  # 13:31
    small = api.ProposeBlockTradeRequest()
    small.CopyFrom(propose)
    small.request_id, small.quantity_tonnes = rid(), 99_999
    assert await refused(service.stub.ProposeBlockTrade(small)) == (
        FAILED,
        "BLOCK_QUANTITY_TOO_SMALL",
    )
    propose.request_id = rid()
    nid = (await service.stub.ProposeBlockTrade(propose)).negotiation.negotiation_id
    countered = await service.stub.CounterBlockTrade(
        api.CounterBlockTradeRequest(
            request_id=rid(), account_id="blk-buyer", negotiation_id=nid, price_fen=5_900,
            quantity_tonnes=100_000,
        )
    )  # fmt: skip
    assert countered.negotiation.confirmed_by_account_id == "blk-buyer"
    stale = api.AcceptBlockTradeRequest(
        request_id=rid(), account_id="blk-seller", negotiation_id=nid, price_fen=6_000,
        quantity_tonnes=100_000,
    )  # fmt: skip
    assert await refused(service.stub.AcceptBlockTrade(stale)) == (FAILED, "TERMS_MISMATCH")
    stale.request_id, stale.price_fen = rid(), 5_900
    agreed = await service.stub.AcceptBlockTrade(stale)
    assert agreed.negotiation.status == api.NEGOTIATION_STATUS_AGREED
    assert (agreed.trade.trading_mode, agreed.trade.price_fen) == (events.TRADING_MODE_BLOCK, 5_900)
    trade = events.TradeExecuted.FromString(
        (
            await published(service.settings, of_type(events.TradeExecuted, instrument="CEA-2026"))
        ).payload
    )
    assert (trade.quantity_tonnes, trade.buyer_fee_fen) == (100_000, 295_000)
    assert (trade.buyer_account_id, trade.seller_account_id) == ("blk-buyer", "blk-seller")
