"""The live book of ``cqx book``: updates folded in sequence, a skipped sequence number
reported (so the command subscribes again) and a fresh snapshot making the view whole."""

from __future__ import annotations

from cqx_sdk.cli.book_view import BookView, statistics_line
from cqx_sdk.market_data import MarketDataUpdate, MarketSnapshot, TradePrint
from cqx_sdk.matching_views import BookDepth, DailyStatistics, PriceLevel, Side, TradingMode

CONTINUOUS = TradingMode.CONTINUOUS


def depth(bid_fen: int, ask_fen: int, mode: TradingMode = CONTINUOUS) -> BookDepth:
    return BookDepth(mode, (PriceLevel(bid_fen, 100, 1),), (PriceLevel(ask_fen, 200, 2),))


def snapshot(sequence: int, bid_fen: int) -> MarketDataUpdate:
    stats = DailyStatistics("2025-07-16", 0, 0, 0, 0, 0, 0, False)
    body = MarketSnapshot(depth(bid_fen, 7500), depth(1, 9_999, TradingMode.LISTED), stats)
    return MarketDataUpdate("CEA-2024", sequence, "snapshot", snapshot=body)


def book_update(sequence: int, bid_fen: int) -> MarketDataUpdate:
    return MarketDataUpdate("CEA-2024", sequence, "depth", depth=depth(bid_fen, 7500))


def trade(sequence: int, trade_id: str) -> MarketDataUpdate:
    print_ = TradePrint(trade_id, CONTINUOUS, 7480, 10, Side.BUY, 0)
    return MarketDataUpdate("CEA-2024", sequence, "trade", trade=print_)


def best_bid(view: BookView) -> int:
    assert view.depth is not None
    return view.depth.bids[0].price_fen


def test_updates_in_sequence_keep_the_view_current() -> None:
    view = BookView("CEA-2024")
    assert view.apply(snapshot(41, 7400))
    assert view.apply(book_update(42, 7410))
    assert view.apply(trade(43, "T1"))
    assert (best_bid(view), view.sequence, [t.trade_id for t in view.trades]) == (7410, 43, ["T1"])
    assert "(sequence 43)" in view.text()


def test_a_skipped_sequence_number_is_reported_and_a_fresh_snapshot_heals_it() -> None:
    view = BookView("CEA-2024")
    view.apply(snapshot(7, 7400))
    assert not view.apply(book_update(9, 7420))  # 8 was missed: resubscribe
    assert view.apply(snapshot(12, 7430))  # a snapshot is whole whatever its number
    assert view.apply(book_update(13, 7440))
    assert (best_bid(view), view.sequence) == (7440, 13)


def test_the_listed_view_ignores_the_continuous_books_depth() -> None:
    view = BookView("CEA-2024", TradingMode.LISTED)
    view.apply(snapshot(1, 7400))
    assert best_bid(view) == 1
    assert view.apply(book_update(2, 7410))
    assert best_bid(view) == 1


def test_the_days_line_names_the_day_only_when_there_is_one() -> None:
    traded = DailyStatistics("2025-07-16", 7400, 7500, 7390, 7450, 1_000, 7_450_000, False)
    assert statistics_line(traded) == (
        "2025-07-16: open 74.00 high 75.00 low 73.90 VWAP so far 74.50; volume 1,000 t, "
        "turnover 74,500.00 CNY"
    )
    closed = DailyStatistics("", 0, 0, 0, 7461, 0, 0, True)
    assert statistics_line(closed) == "no trades yet; reference close 74.61"
