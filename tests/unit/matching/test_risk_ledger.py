"""Pre-trade risk: R-T5 (reservations) on the continuous and listed books."""

from __future__ import annotations

from cqx_matching.domain import (
    CancelOrder,
    DepositFunds,
    OrderType,
    PlaceOrder,
    PostListing,
    Reason,
    ReduceOrder,
    ReplaceOrder,
    Side,
    TakeListing,
    TimeInForce,
    TradingMode,
    WithdrawFunds,
    fee,
)
from tests.unit.matching.support import INSTRUMENT, MORNING, Market, at, config, reasons

FEE_BPS = 15


def order(
    oid: str, account: str, side: Side, qty: int, price: int | None, **kw: object
) -> PlaceOrder:
    return PlaceOrder(INSTRUMENT, oid, account, side, qty, price, MORNING, **kw)  # type: ignore[arg-type]


def need(price: int, quantity: int) -> int:
    return price * quantity + fee(price * quantity, FEE_BPS)


def market_with(cash: int) -> Market:
    m = Market(config(fee_bps=FEE_BPS))
    m.fund("S")
    m.given(DepositFunds("B", cash, MORNING))
    return m


def test_R_T5_a_buy_needs_free_funds_for_price_times_quantity_plus_fee() -> None:
    market = market_with(need(6_000, 100))
    assert reasons(market.when(order("b1", "B", Side.BUY, 100, 6_000))) == []
    assert market.exchange.ledger.free_cash("B") == 0
    assert reasons(market.when(order("b2", "B", Side.BUY, 1, 5_500))) == [Reason.INSUFFICIENT_FUNDS]


def test_R_T5_a_buy_one_fen_short_is_rejected() -> None:
    market = market_with(need(6_000, 100) - 1)
    assert reasons(market.when(order("b1", "B", Side.BUY, 100, 6_000))) == [
        Reason.INSUFFICIENT_FUNDS
    ]


def test_R_T5_a_sell_needs_free_trading_position() -> None:
    market = Market()
    market.fund("S", allowances=50)
    assert reasons(market.when(order("s1", "S", Side.SELL, 51, 6_000))) == [
        Reason.INSUFFICIENT_ALLOWANCES
    ]
    market.given(order("s2", "S", Side.SELL, 30, 6_000))
    assert reasons(market.when(order("s3", "S", Side.SELL, 21, 6_000))) == [
        Reason.INSUFFICIENT_ALLOWANCES
    ]


def test_R_T5_a_cancel_releases_the_reservation() -> None:
    market = market_with(need(6_000, 100))
    market.given(
        order("b1", "B", Side.BUY, 100, 6_000), CancelOrder(INSTRUMENT, "b1", "B", MORNING)
    )
    assert market.exchange.ledger.free_cash("B") == need(6_000, 100)


def test_R_T5_a_fill_at_a_better_price_frees_the_difference() -> None:
    market = market_with(need(6_000, 100))
    market.given(order("s1", "S", Side.SELL, 100, 5_900), order("b1", "B", Side.BUY, 100, 6_000))
    assert market.exchange.ledger.free_cash("B") == need(6_000, 100) - need(5_900, 100)
    assert market.exchange.ledger.reservations == {}


def test_R_T5_partial_fills_never_cost_more_than_was_reserved() -> None:
    market = market_with(need(6_001, 7))
    for i in range(7):
        market.given(order(f"s{i}", "S", Side.SELL, 1, 6_001))
    market.given(order("b1", "B", Side.BUY, 7, 6_001))  # seven fills of one tonne each
    assert market.exchange.ledger.free_cash("B") >= 0


def test_R_T5_the_seller_is_paid_notional_minus_fee_at_once() -> None:
    market = market_with(need(6_000, 10))
    market.given(order("s1", "S", Side.SELL, 10, 6_000), order("b1", "B", Side.BUY, 10, 6_000))
    paid = 60_000 - fee(60_000, FEE_BPS)
    assert market.exchange.ledger.free_cash("S") == 10_000_000_000 + paid


def test_R_T5_reducing_and_replacing_resize_the_reservation() -> None:
    market = market_with(need(6_000, 100))
    market.given(order("b1", "B", Side.BUY, 100, 6_000))
    market.given(ReduceOrder(INSTRUMENT, "b1", "B", 40, MORNING))
    assert market.exchange.ledger.free_cash("B") == need(6_000, 100) - need(6_000, 40)
    assert reasons(market.when(ReplaceOrder(INSTRUMENT, "b1", "B", 6_000, 101, MORNING))) == [
        Reason.INSUFFICIENT_FUNDS
    ]
    market.given(ReplaceOrder(INSTRUMENT, "b1", "B", 5_500, 100, MORNING))
    assert market.exchange.ledger.free_cash("B") == need(6_000, 100) - need(5_500, 100)


def test_R_T5_market_to_limit_reserves_at_the_best_opposite_price() -> None:
    market = market_with(need(6_000, 10))
    market.given(order("s1", "S", Side.SELL, 5, 6_000))
    market.given(order("b1", "B", Side.BUY, 10, None, order_type=OrderType.MARKET_TO_LIMIT))
    held = market.exchange.ledger.held((INSTRUMENT, TradingMode.CONTINUOUS, "b1"))
    assert held is not None
    assert (held.price, held.remaining) == (6_000, 5)


def test_R_T5_an_ioc_remainder_is_released_at_once() -> None:
    market = market_with(need(6_000, 10))
    market.given(
        order("s1", "S", Side.SELL, 4, 6_000),
        order("b1", "B", Side.BUY, 10, 6_000, time_in_force=TimeInForce.IOC),
    )
    assert market.exchange.ledger.free_cash("B") == need(6_000, 10) - need(6_000, 4)


def test_R_T5_a_listed_taker_must_cover_the_traded_quantity_at_the_makers_price() -> None:
    market = market_with(need(6_000, 10) - 1)
    market.given(PostListing(INSTRUMENT, "l1", "S", Side.SELL, 10, 6_000, MORNING))
    take = TakeListing(INSTRUMENT, "t1", "B", Side.BUY, 10, MORNING, "l1")
    assert reasons(market.when(take)) == [Reason.INSUFFICIENT_FUNDS]
    smaller = TakeListing(INSTRUMENT, "t2", "B", Side.BUY, 9, MORNING, "l1")
    assert reasons(market.when(smaller)) == []


def test_R_T5_reserved_cash_cannot_be_withdrawn() -> None:
    market = market_with(1_000_000)
    market.given(order("b1", "B", Side.BUY, 100, 6_000))
    free = market.exchange.ledger.free_cash("B")
    assert reasons(market.when(WithdrawFunds("B", free + 1, at(10, 1)))) == [
        Reason.INSUFFICIENT_FUNDS
    ]
    assert reasons(market.when(WithdrawFunds("B", free, at(10, 1)))) == []
    assert reasons(market.when(DepositFunds("B", 0, at(10, 1)))) == [Reason.AMOUNT_NOT_POSITIVE]
