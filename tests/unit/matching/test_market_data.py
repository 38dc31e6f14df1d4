"""Market data: L2 depth, trades and statistics with per-instrument sequence numbers."""

from __future__ import annotations

from cqx_matching.domain import (
    AnnounceBidding,
    DepthSnapshot,
    MarketDataFeed,
    MarketDataMessage,
    PlaceOrder,
    SequenceTracker,
    Side,
    StatisticsSnapshot,
    SubmitBid,
    TradePrint,
    TradingMode,
)
from cqx_matching.domain.market_data import depth
from tests.unit.matching.support import INSTRUMENT, MORNING, Market, at, config


def order(oid: str, account: str, side: Side, qty: int, price: int) -> PlaceOrder:
    return PlaceOrder(INSTRUMENT, oid, account, side, qty, price, MORNING)


def test_depth_shows_the_configured_number_of_levels_best_first() -> None:
    market = Market(config(depth_levels=2))
    market.fund("A")
    for i, price in enumerate([5_990, 5_995, 5_980]):
        market.given(order(f"b{i}", "A", Side.BUY, 10 + i, price))
    market.given(order("b9", "A", Side.BUY, 5, 5_995))
    snapshot = depth(market.exchange, INSTRUMENT, TradingMode.CONTINUOUS)
    assert [(lv.price, lv.quantity, lv.orders) for lv in snapshot.bids] == [
        (5_995, 16, 2),
        (5_990, 10, 1),
    ]
    assert snapshot.asks == ()
    deeper = depth(market.exchange, INSTRUMENT, TradingMode.CONTINUOUS, levels=10)
    assert len(deeper.bids) == 3


def test_every_message_carries_the_next_sequence_number_of_its_instrument() -> None:
    market = Market(config(), config(instrument="CEA-2025"))
    market.fund("A", "B")
    feed = MarketDataFeed()
    first = feed.publish(market.exchange, market.when(order("s1", "A", Side.SELL, 10, 6_000)))
    assert [(m.instrument, m.sequence) for m in first] == [(INSTRUMENT, 1)]
    assert isinstance(first[0].payload, DepthSnapshot)
    second = feed.publish(market.exchange, market.when(order("b1", "B", Side.BUY, 4, 6_000)))
    kinds = [type(m.payload) for m in second]
    assert kinds == [TradePrint, DepthSnapshot, StatisticsSnapshot]
    assert [m.sequence for m in second] == [2, 3, 4]
    other = PlaceOrder("CEA-2025", "x1", "A", Side.SELL, 1, 6_000, MORNING)
    assert [m.sequence for m in feed.publish(market.exchange, market.when(other))] == [1]


def test_a_trade_print_names_no_parties_and_statistics_run_during_the_day() -> None:
    market = Market()
    market.fund("A", "B")
    feed = MarketDataFeed()
    market.given(order("s1", "A", Side.SELL, 10, 6_000))
    messages = feed.publish(market.exchange, market.when(order("b1", "B", Side.BUY, 10, 6_000)))
    trade = messages[0].payload
    assert trade == TradePrint(1, TradingMode.CONTINUOUS, 6_000, 10, Side.BUY, MORNING)
    stats = messages[-1].payload
    assert isinstance(stats, StatisticsSnapshot)
    assert (stats.open, stats.close, stats.volume, stats.final) == (6_000, 6_000, 10, False)


def test_sealed_bids_are_not_published() -> None:
    market = Market()
    market.fund("S", "A")
    feed = MarketDataFeed()
    announce = AnnounceBidding(
        INSTRUMENT, "a1", "S", Side.SELL, 100, 6_000, at(10, 0), at(10, 30), at(9, 30)
    )
    market.given(announce)
    bid = SubmitBid(INSTRUMENT, "a1", "x1", "A", 6_100, 10, at(10, 1))
    assert feed.publish(market.exchange, market.when(bid)) == []


def test_a_client_detects_a_gap_and_resynchronises_from_a_snapshot() -> None:
    tracker = SequenceTracker()
    payload = StatisticsSnapshot(None, None, None, None, 6_000, 0, 0, False)

    def message(sequence: int) -> MarketDataMessage:
        return MarketDataMessage(INSTRUMENT, sequence, payload)

    assert tracker.accept(message(1))
    assert tracker.accept(message(2))
    assert tracker.accept(message(2))  # a duplicate is harmless
    assert not tracker.accept(message(4))  # 3 was missed
    tracker.resynchronise(INSTRUMENT, 4)
    assert tracker.accept(message(5))


def test_a_snapshot_says_which_sequence_it_is_current_to() -> None:
    market = Market()
    market.fund("A")
    feed = MarketDataFeed()
    feed.publish(market.exchange, market.when(order("s1", "A", Side.SELL, 10, 6_000)))
    sequence, payloads = feed.snapshot(market.exchange, INSTRUMENT)
    assert sequence == 1
    continuous = payloads[0]
    assert isinstance(continuous, DepthSnapshot)
    assert [(lv.price, lv.quantity) for lv in continuous.asks] == [(6_000, 10)]
