"""One-way bidding (单向竞价): R-T11, with the reservations of R-T5."""

from __future__ import annotations

import pytest

from cqx_matching.domain import (
    AnnounceBidding,
    BiddingAllocation,
    BiddingClosed,
    BidReleased,
    BidSubmitted,
    CloseBidding,
    CloseTradingDay,
    Reason,
    Side,
    SubmitBid,
    TradingMode,
)
from tests.unit.matching.support import INSTRUMENT, Market, at, config, reasons, trades

START, END = at(10, 0), at(10, 30)


def announce(
    side: Side = Side.SELL,
    quantity: int = 1_000,
    reserve: int = 6_000,
    eligible: frozenset[str] | None = None,
    window: tuple[int, int] = (START, END),
) -> AnnounceBidding:
    return AnnounceBidding(
        INSTRUMENT, "a1", "S", side, quantity, reserve, window[0], window[1], at(9, 30), eligible
    )


def bid(bid_id: str, account: str, price: int, quantity: int, minute: int = 1) -> SubmitBid:
    return SubmitBid(INSTRUMENT, "a1", bid_id, account, price, quantity, at(10, minute))


def close() -> CloseBidding:
    return CloseBidding(INSTRUMENT, "a1", END)


@pytest.fixture
def market() -> Market:
    m = Market()
    m.fund("S", "A", "B", "C", "D")
    return m


def test_R_T11_bids_fill_by_price_then_time_with_a_partial_fill_at_the_margin(
    market: Market,
) -> None:
    market.given(
        announce(quantity=1_000),
        bid("x1", "A", 6_100, 400, minute=1),
        bid("x2", "B", 6_200, 300, minute=2),
        bid("x3", "C", 6_100, 500, minute=3),
        bid("x4", "D", 6_050, 200, minute=4),
    )
    events = market.when(close())
    assert [(t.buy_order_id, t.price, t.quantity) for t in trades(events)] == [
        ("x2", 6_200, 300),
        ("x1", 6_100, 400),
        ("x3", 6_100, 300),
    ]
    released = [(e.bid_id, e.quantity) for e in events if isinstance(e, BidReleased)]
    assert released == [("x3", 200), ("x4", 200)]
    assert isinstance(events[-1], BiddingClosed)
    assert events[-1].filled == 1_000
    assert all(t.mode is TradingMode.BIDDING and t.seller == "S" for t in trades(events))


def test_R_T11_pro_rata_at_the_margin_when_configured() -> None:
    market = Market(config(bidding_allocation=BiddingAllocation.PRICE_PRO_RATA))
    market.fund("S", "A", "B", "C")
    market.given(
        announce(quantity=1_000),
        bid("x1", "A", 6_300, 400, minute=1),
        bid("x2", "B", 6_100, 500, minute=2),
        bid("x3", "C", 6_100, 400, minute=3),
    )
    events = market.when(close())
    # 600 left for 900 bid at 6,100: 333 and 266 by proportion, the spare tonne by time.
    assert [(t.buy_order_id, t.quantity) for t in trades(events)] == [
        ("x1", 400),
        ("x2", 334),
        ("x3", 266),
    ]


def test_R_T11_a_purchase_fills_the_lowest_offers_first(market: Market) -> None:
    market.given(
        announce(side=Side.BUY, quantity=500, reserve=6_100),
        bid("x1", "A", 6_050, 300),
        bid("x2", "B", 5_990, 300),
    )
    events = market.when(close())
    assert [(t.sell_order_id, t.price, t.quantity, t.buyer) for t in trades(events)] == [
        ("x2", 5_990, 300, "S"),
        ("x1", 6_050, 200, "S"),
    ]


def test_R_T11_a_bid_must_meet_the_reserve_price(market: Market) -> None:
    market.given(announce(reserve=6_000))
    assert reasons(market.when(bid("x1", "A", 5_999, 10))) == [Reason.BID_WORSE_THAN_RESERVE]


def test_R_T11_only_eligible_bidders_may_bid(market: Market) -> None:
    market.given(announce(eligible=frozenset({"A"})))
    assert reasons(market.when(bid("x1", "B", 6_100, 10))) == [Reason.NOT_ELIGIBLE_TO_BID]
    assert reasons(market.when(bid("x2", "S", 6_100, 10))) == [Reason.NOT_ELIGIBLE_TO_BID]
    assert reasons(market.when(bid("x3", "A", 6_100, 10))) == []


def test_R_T11_bids_are_accepted_only_inside_the_window(market: Market) -> None:
    market.given(announce())
    early = SubmitBid(INSTRUMENT, "a1", "x1", "A", 6_100, 10, START - 1)
    late = SubmitBid(INSTRUMENT, "a1", "x2", "A", 6_100, 10, END)
    assert reasons(market.when(early)) == [Reason.OUTSIDE_BIDDING_WINDOW]
    assert reasons(market.when(late)) == [Reason.OUTSIDE_BIDDING_WINDOW]


def test_R_T11_the_window_must_lie_inside_one_session(market: Market) -> None:
    lunch = announce(window=(at(11, 0), at(13, 30)))
    assert reasons(market.when(lunch)) == [Reason.BIDDING_WINDOW_INVALID]
    backwards = announce(window=(END, START))
    assert reasons(market.when(backwards)) == [Reason.BIDDING_WINDOW_INVALID]


def test_R_T11_the_auction_closes_only_after_its_window(market: Market) -> None:
    market.given(announce())
    early = CloseBidding(INSTRUMENT, "a1", END - 1)
    assert reasons(market.when(early)) == [Reason.BIDDING_WINDOW_NOT_OVER]
    market.given(close())
    assert reasons(market.when(close())) == [Reason.AUCTION_CLOSED]
    assert reasons(market.when(bid("x9", "A", 6_100, 10, minute=29))) == [Reason.AUCTION_CLOSED]


def test_R_T11_bids_reserve_funds_and_the_close_releases_what_did_not_fill(
    market: Market,
) -> None:
    ledger = market.exchange.ledger
    cash = ledger.free_cash("B")
    market.given(announce(quantity=100), bid("x1", "A", 6_200, 100), bid("x2", "B", 6_100, 50))
    assert ledger.free_cash("B") == cash - 6_100 * 50
    market.given(close())
    assert ledger.free_cash("B") == cash
    assert ledger.reservations == {}


def test_R_T11_the_initiators_unsold_quantity_is_released(market: Market) -> None:
    ledger = market.exchange.ledger
    free = ledger.free_allowances("S", INSTRUMENT)
    market.given(announce(quantity=1_000))
    assert ledger.free_allowances("S", INSTRUMENT) == free - 1_000
    market.given(bid("x1", "A", 6_100, 300), close())
    assert ledger.free_allowances("S", INSTRUMENT) == free - 300


def test_R_T11_bids_are_sealed_until_the_close(market: Market) -> None:
    market.given(announce())
    events = market.when(bid("x1", "A", 6_100, 10))
    assert [type(e) for e in events] == [BidSubmitted]
    assert not trades(events)


def test_R_T11_an_open_auction_is_allocated_at_the_days_close(market: Market) -> None:
    market.given(announce(quantity=100), bid("x1", "A", 6_100, 60))
    events = market.when(CloseTradingDay(at(15, 0)))
    assert [t.quantity for t in trades(events)] == [60]


def test_R_T11_a_bid_larger_than_the_announcement_is_rejected(market: Market) -> None:
    market.given(announce(quantity=100))
    assert reasons(market.when(bid("x1", "A", 6_100, 101))) == [Reason.BID_QUANTITY_TOO_LARGE]


def test_R_T11_bid_and_auction_ids_are_unique(market: Market) -> None:
    market.given(announce(), bid("x1", "A", 6_100, 10))
    assert reasons(market.when(bid("x1", "B", 6_100, 10))) == [Reason.DUPLICATE_ID]
    assert reasons(market.when(bid("a1", "B", 6_100, 10))) == [Reason.DUPLICATE_ID]
    assert reasons(market.when(announce())) == [Reason.DUPLICATE_ID]


def test_R_T11_an_initiator_without_the_allowances_is_rejected() -> None:
    market = Market()
    market.fund("S", allowances=999)
    assert reasons(market.when(announce(quantity=1_000))) == [Reason.INSUFFICIENT_ALLOWANCES]
