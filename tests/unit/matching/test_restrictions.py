"""R-A5 at the exchange: a restricted participant's resting orders are cancelled, its new
orders, deals and bids refused, its holdings untouched; reinstated, it trades again.

The registry's ``ParticipantRestricted`` names every account of the participant; here "A"
and "A2" are the restricted participant's, "B" and "C" other members'. Every step is replayed
and validated by :class:`Market` (reservations equal what the open orders need).
"""

from __future__ import annotations

import pytest

from cqx_matching.domain import (
    AcceptBlockTrade,
    AnnounceBidding,
    BidReleased,
    BlockTradeWithdrawn,
    CancelReason,
    CloseBidding,
    Event,
    OrderCancelled,
    OrderRejected,
    PlaceOrder,
    PostListing,
    ProposeBlockTrade,
    Reason,
    ReinstateTrading,
    RestrictTrading,
    Side,
    SubmitBid,
    TakeListing,
    TradingMode,
    TradingReinstated,
    TradingRestricted,
)
from tests.unit.matching.support import (
    AFTERNOON,
    INSTRUMENT,
    MORNING,
    RICH,
    STOCK,
    Market,
    at,
    reasons,
    trades,
)

ACCOUNTS = frozenset({"A", "A2"})
RESTRICT = RestrictTrading("keu-a", ACCOUNTS, "court order 17", at(10, 5))
REINSTATE = ReinstateTrading("keu-a", ACCOUNTS, at(10, 10))


@pytest.fixture
def market() -> Market:
    m = Market()
    m.fund("A", "A2", "B", "C")
    return m


def order(order_id: str, account: str, side: Side, price: int, when: int = MORNING) -> PlaceOrder:
    return PlaceOrder(INSTRUMENT, order_id, account, side, 100, price, when)


def cancelled(events: list[Event]) -> list[tuple[str, TradingMode, int, CancelReason]]:
    return [
        (e.order_id, e.mode, e.quantity, e.reason) for e in events if isinstance(e, OrderCancelled)
    ]


def test_R_A5_a_restriction_cancels_every_resting_order_of_the_participant(
    market: Market,
) -> None:
    market.given(
        order("a-sell", "A", Side.SELL, 6_100),
        order("a2-buy", "A2", Side.BUY, 5_900),
        PostListing(INSTRUMENT, "a-list", "A", Side.SELL, 50, 6_200, MORNING),
        order("b-buy", "B", Side.BUY, 5_950),
    )
    free_before = market.exchange.ledger.free_cash("B")
    events = market.when(RESTRICT)
    assert events[0] == TradingRestricted("keu-a", ACCOUNTS, "court order 17", at(10, 5))
    restricted = CancelReason.PARTICIPANT_RESTRICTED
    assert sorted(cancelled(events)) == [
        ("a-list", TradingMode.LISTED, 50, restricted),
        ("a-sell", TradingMode.CONTINUOUS, 100, restricted),
        ("a2-buy", TradingMode.CONTINUOUS, 100, restricted),
    ]
    assert [o.order_id for o in market.book.open_orders()] == ["b-buy"]
    ledger = market.exchange.ledger
    assert ledger.free_cash("A2") == RICH  # the buy's reservation is released
    assert ledger.free_allowances("A", INSTRUMENT) == STOCK  # and the sells'
    assert ledger.free_cash("B") == free_before  # another member's order is untouched


def test_R_A5_a_restricted_participant_s_new_order_is_refused_and_changes_nothing(
    market: Market,
) -> None:
    market.given(order("b-buy", "B", Side.BUY, 6_000))
    market.when(RESTRICT)
    before = market.exchange.snapshot()
    for command in (
        order("a-sell", "A", Side.SELL, 6_000, at(10, 6)),
        PostListing(INSTRUMENT, "a-list", "A2", Side.SELL, 50, 6_000, at(10, 6)),
        TakeListing(INSTRUMENT, "a-take", "A", Side.BUY, 10, at(10, 6)),
    ):
        events = market.when(command)
        assert events == [
            OrderRejected(
                INSTRUMENT,
                command.order_id,
                command.account,
                type(command).__name__,
                Reason.PARTICIPANT_RESTRICTED,
                at(10, 6),
            )
        ]
    assert market.exchange.snapshot() == before  # no order, no reservation, no trade


def test_R_A5_holdings_stay_and_a_reinstated_participant_trades_again(market: Market) -> None:
    ledger = market.exchange.ledger
    market.given(order("b-buy", "B", Side.BUY, 6_000), RESTRICT)
    assert (ledger.free_cash("A"), ledger.free_allowances("A", INSTRUMENT)) == (RICH, STOCK)
    assert market.when(REINSTATE) == [TradingReinstated("keu-a", ACCOUNTS, at(10, 10))]
    events = market.when(order("a-sell", "A", Side.SELL, 6_000, at(10, 11)))
    assert [(t.seller, t.buyer, t.quantity) for t in trades(events)] == [("A", "B", 100)]


def test_R_A5_a_restriction_withdraws_the_participant_s_block_negotiations() -> None:
    market = Market()
    market.fund("A", "B", "C")
    market.given(
        ProposeBlockTrade(INSTRUMENT, "n1", "A", Side.SELL, 6_000, 100_000, AFTERNOON, "B"),
        ProposeBlockTrade(INSTRUMENT, "n2", "C", Side.BUY, 6_000, 100_000, AFTERNOON, "A"),
        ProposeBlockTrade(INSTRUMENT, "n3", "C", Side.BUY, 6_000, 100_000, AFTERNOON, "B"),
    )
    events = market.when(RestrictTrading("keu-a", frozenset({"A"}), "order", AFTERNOON + 1))
    withdrawn = [
        (e.negotiation_id, e.account) for e in events if isinstance(e, BlockTradeWithdrawn)
    ]
    assert withdrawn == [("n1", "A"), ("n2", "A")]
    assert set(market.exchange.markets[INSTRUMENT].block.open) == {"n3"}
    accept = AcceptBlockTrade(INSTRUMENT, "n3", "B", 6_000, 100_000, AFTERNOON + 2)
    assert trades(market.when(accept))  # the other members still deal
    refused = market.when(
        ProposeBlockTrade(INSTRUMENT, "n4", "A", Side.SELL, 6_000, 100_000, AFTERNOON + 3, "B")
    )
    assert reasons(refused) == [Reason.PARTICIPANT_RESTRICTED]


def test_R_A5_a_restricted_bidder_does_not_fill_and_bids_no_more(market: Market) -> None:
    start, end = at(10, 0), at(10, 30)
    market.given(
        AnnounceBidding(INSTRUMENT, "au", "C", Side.SELL, 100, 6_000, start, end, at(9, 30)),
        SubmitBid(INSTRUMENT, "au", "bid-a", "A", 6_500, 100, at(10, 1)),
        SubmitBid(INSTRUMENT, "au", "bid-b", "B", 6_100, 100, at(10, 2)),
        RESTRICT,
    )
    late = market.when(SubmitBid(INSTRUMENT, "au", "bid-a2", "A2", 6_600, 100, at(10, 7)))
    assert reasons(late) == [Reason.PARTICIPANT_RESTRICTED]
    events = market.when(CloseBidding(INSTRUMENT, "au", end))
    assert [(t.buyer, t.price) for t in trades(events)] == [("B", 6_100)]
    assert [(e.bid_id, e.quantity) for e in events if isinstance(e, BidReleased)] == [
        ("bid-a", 100)
    ]


def test_R_A5_a_bidding_the_restricted_participant_announced_closes_unfilled(
    market: Market,
) -> None:
    start, end = at(10, 0), at(10, 30)
    market.given(
        AnnounceBidding(INSTRUMENT, "au", "A", Side.SELL, 100, 6_000, start, end, at(9, 30)),
        SubmitBid(INSTRUMENT, "au", "bid-b", "B", 6_100, 100, at(10, 1)),
        RESTRICT,
    )
    events = market.when(CloseBidding(INSTRUMENT, "au", end))
    assert trades(events) == []
    assert [e.bid_id for e in events if isinstance(e, BidReleased)] == ["bid-b"]
