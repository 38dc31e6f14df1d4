"""Listed agreement trading (挂牌协议): R-T1, R-T2, R-T7, R-T8, given/when/then."""

from __future__ import annotations

import pytest

from cqx_matching.domain import (
    CancelOrder,
    InstrumentConfig,
    OrderAccepted,
    PlaceOrder,
    PostListing,
    Reason,
    ReduceOrder,
    ReplaceOrder,
    Side,
    TakeListing,
    TradingMode,
    price_band,
)
from tests.unit.matching.support import INSTRUMENT, MORNING, Market, config, reasons, trades


def post(order_id: str, account: str, side: Side, quantity: int, price: int) -> PostListing:
    return PostListing(INSTRUMENT, order_id, account, side, quantity, price, MORNING)


def take(
    order_id: str,
    account: str,
    side: Side,
    quantity: int,
    maker: str | None = None,
    limit_price: int | None = None,
) -> TakeListing:
    return TakeListing(INSTRUMENT, order_id, account, side, quantity, MORNING, maker, limit_price)


@pytest.fixture
def market() -> Market:
    m = Market()
    m.fund("A", "B", "C", "D")
    return m


def test_R_T1_a_listing_under_100000_tonnes_is_accepted(market: Market) -> None:
    events = market.when(post("l1", "A", Side.SELL, 99_999, 6_000))
    assert isinstance(events[0], OrderAccepted)
    assert events[0].mode is TradingMode.LISTED


def test_R_T1_a_listing_of_100000_tonnes_or_more_is_rejected(market: Market) -> None:
    events = market.when(post("l1", "A", Side.SELL, 100_000, 6_000))
    assert reasons(events) == [Reason.LISTED_QUANTITY_TOO_LARGE]


def test_R_T1_a_taker_of_100000_tonnes_or_more_is_rejected(market: Market) -> None:
    market.given(post("l1", "A", Side.SELL, 50_000, 6_000))
    events = market.when(take("t1", "B", Side.BUY, 100_000, "l1"))
    assert reasons(events) == [Reason.LISTED_QUANTITY_TOO_LARGE]


def test_R_T1_the_continuous_book_has_the_same_limit_under_its_own_word(market: Market) -> None:
    order = PlaceOrder(INSTRUMENT, "o1", "A", Side.BUY, 100_000, 6_000, MORNING)
    assert reasons(market.when(order)) == [Reason.QUANTITY_TOO_LARGE]


@pytest.mark.parametrize(
    ("price", "accepted"), [(5_400, True), (5_399, False), (6_600, True), (6_601, False)]
)
def test_R_T2_price_within_10_percent_of_the_previous_close(price: int, accepted: bool) -> None:
    market = Market()
    market.fund("A")
    events = market.when(post("l1", "A", Side.SELL, 10, price))
    assert reasons(events) == ([] if accepted else [Reason.PRICE_OUTSIDE_BAND])


def test_R_T2_price_outside_band_is_rejected_in_the_continuous_book_too(market: Market) -> None:
    order = PlaceOrder(INSTRUMENT, "o1", "A", Side.BUY, 10, 6_601, MORNING)
    assert reasons(market.when(order)) == [Reason.PRICE_OUTSIDE_BAND]


def test_R_T2_band_edges_are_rounded_inwards_to_the_tick() -> None:
    band = price_band(reference=6_005, width_bps=1_000, tick=10)  # exact: 5,404.5 .. 6,605.5
    assert (band.lower, band.upper) == (5_410, 6_600)
    market = Market(config(previous_close=6_005, tick=10))
    market.fund("A")
    assert reasons(market.when(post("l1", "A", Side.SELL, 10, 5_400))) == [
        Reason.PRICE_OUTSIDE_BAND
    ]
    assert reasons(market.when(post("l2", "A", Side.SELL, 10, 5_410))) == []
    assert reasons(market.when(post("l3", "A", Side.SELL, 10, 6_610))) == [
        Reason.PRICE_OUTSIDE_BAND
    ]
    assert reasons(market.when(post("l4", "A", Side.SELL, 10, 6_605))) == [Reason.PRICE_NOT_ON_TICK]


def test_R_T2_an_exact_band_edge_stays_in_the_band() -> None:
    band = price_band(reference=6_000, width_bps=1_000, tick=1)
    assert (band.lower, band.upper) == (5_400, 6_600)


def test_R_T7_a_taker_trades_at_the_makers_price(market: Market) -> None:
    market.given(post("l1", "A", Side.SELL, 500, 6_050))
    (trade,) = trades(market.when(take("t1", "B", Side.BUY, 200, "l1")))
    assert (trade.price, trade.quantity, trade.seller, trade.buyer) == (6_050, 200, "A", "B")
    assert (trade.mode, trade.aggressor) == (TradingMode.LISTED, Side.BUY)


def test_R_T7_a_taker_may_reach_only_the_best_five_price_levels(market: Market) -> None:
    for i, price in enumerate([6_000, 6_010, 6_020, 6_030, 6_040, 6_050]):
        market.given(post(f"l{i}", "A", Side.SELL, 10, price))
    assert reasons(market.when(take("t1", "B", Side.BUY, 10, "l5"))) == [
        Reason.MAKER_NOT_IN_BEST_FIVE
    ]
    assert trades(market.when(take("t2", "B", Side.BUY, 10, "l4")))[0].price == 6_040


def test_R_T7_at_one_price_the_taker_may_name_any_maker(market: Market) -> None:
    market.given(
        post("l1", "A", Side.BUY, 10, 5_990),
        post("l2", "B", Side.BUY, 10, 5_990),
        post("l3", "C", Side.BUY, 10, 5_990),
    )
    (trade,) = trades(market.when(take("t1", "D", Side.SELL, 10, "l3")))
    assert trade.buy_order_id == "l3"  # not the oldest: no time priority among makers


def test_R_T7_the_maker_must_be_on_the_other_side(market: Market) -> None:
    market.given(post("l1", "A", Side.BUY, 10, 5_990))
    assert reasons(market.when(take("t1", "B", Side.BUY, 10, "l1"))) == [Reason.MAKER_NOT_FOUND]


def test_R_T7_a_taker_cannot_take_its_own_listing(market: Market) -> None:
    market.given(post("l1", "A", Side.SELL, 10, 6_000))
    assert reasons(market.when(take("t1", "A", Side.BUY, 10, "l1"))) == [
        Reason.SELF_TRADE_PREVENTED
    ]


def test_R_T8_the_traded_quantity_is_the_takers_when_the_maker_has_enough(market: Market) -> None:
    market.given(post("l1", "A", Side.SELL, 500, 6_000))
    (trade,) = trades(market.when(take("t1", "B", Side.BUY, 120, "l1")))
    assert trade.quantity == 120
    assert market.exchange.markets[INSTRUMENT].listed.open_order("l1").remaining == 380  # type: ignore[union-attr]


def test_R_T8_the_traded_quantity_is_capped_by_the_makers_remainder(market: Market) -> None:
    market.given(post("l1", "A", Side.SELL, 80, 6_000))
    (trade,) = trades(market.when(take("t1", "B", Side.BUY, 120, "l1")))
    assert trade.quantity == 80
    assert reasons(market.when(CancelOrder(INSTRUMENT, "l1", "A", MORNING))) == [
        Reason.ORDER_ALREADY_FILLED
    ]


def test_the_automatic_choice_takes_the_best_price_then_the_oldest(market: Market) -> None:
    market.given(
        post("l1", "A", Side.SELL, 10, 6_010),
        post("l2", "B", Side.SELL, 10, 6_000),
        post("l3", "C", Side.SELL, 10, 6_000),
    )
    (trade,) = trades(market.when(take("t1", "D", Side.BUY, 30)))
    assert (trade.sell_order_id, trade.price, trade.quantity) == ("l2", 6_000, 10)


def test_the_automatic_choice_skips_the_takers_own_listings(market: Market) -> None:
    market.given(post("l1", "D", Side.SELL, 10, 6_000), post("l2", "B", Side.SELL, 10, 6_010))
    (trade,) = trades(market.when(take("t1", "D", Side.BUY, 10)))
    assert trade.sell_order_id == "l2"


def test_the_automatic_choice_respects_the_takers_limit(market: Market) -> None:
    market.given(post("l1", "A", Side.SELL, 10, 6_010))
    events = market.when(take("t1", "B", Side.BUY, 10, limit_price=6_000))
    assert reasons(events) == [Reason.NO_MAKER_AVAILABLE]
    events = market.when(take("t2", "B", Side.BUY, 10, "l1", limit_price=6_000))
    assert reasons(events) == [Reason.PRICE_WORSE_THAN_LIMIT]


def test_listings_do_not_match_each_other(market: Market) -> None:
    market.given(post("l1", "A", Side.SELL, 10, 6_000), post("l2", "B", Side.BUY, 10, 6_010))
    listed = market.exchange.markets[INSTRUMENT].listed
    assert (listed.bids.best(), listed.asks.best()) == (6_010, 6_000)


def test_a_listing_can_be_reduced_replaced_and_cancelled(market: Market) -> None:
    market.given(post("l1", "A", Side.SELL, 100, 6_000), post("l2", "B", Side.SELL, 100, 6_000))
    market.given(ReduceOrder(INSTRUMENT, "l1", "A", 60, MORNING))
    listed = market.exchange.markets[INSTRUMENT].listed
    assert [(o.order_id, o.remaining) for o in listed.asks.levels[6_000].live()] == [
        ("l1", 60),
        ("l2", 100),
    ]
    market.given(ReplaceOrder(INSTRUMENT, "l1", "A", 6_000, 50, MORNING))
    assert [o.order_id for o in listed.asks.levels[6_000].live()] == ["l2", "l1"]
    assert reasons(market.when(ReplaceOrder(INSTRUMENT, "l1", "A", 7_000, 50, MORNING))) == [
        Reason.PRICE_OUTSIDE_BAND
    ]
    market.given(CancelOrder(INSTRUMENT, "l1", "A", MORNING))
    assert [o.order_id for o in listed.asks.levels[6_000].live()] == ["l2"]


def test_an_order_id_is_unique_across_both_books(market: Market) -> None:
    market.given(post("x1", "A", Side.SELL, 10, 6_000))
    order = PlaceOrder(INSTRUMENT, "x1", "A", Side.SELL, 10, 6_000, MORNING)
    assert reasons(market.when(order)) == [Reason.DUPLICATE_ID]


def test_the_mode_can_be_disabled_per_instrument() -> None:
    market = Market(config(modes=frozenset({TradingMode.CONTINUOUS})))
    market.fund("A")
    assert reasons(market.when(post("l1", "A", Side.SELL, 10, 6_000))) == [Reason.MODE_NOT_ENABLED]


def test_an_unknown_instrument_is_rejected(market: Market) -> None:
    command = PostListing("CEA-1999", "l1", "A", Side.SELL, 10, 6_000, MORNING)
    assert reasons(market.when(command)) == [Reason.UNKNOWN_INSTRUMENT]


def test_config_default_quantity_limits_follow_the_rules() -> None:
    cfg = InstrumentConfig("X", previous_close=1)
    assert (cfg.listed_quantity_limit, cfg.block_quantity_minimum, cfg.maker_levels) == (
        100_000,
        100_000,
        5,
    )
