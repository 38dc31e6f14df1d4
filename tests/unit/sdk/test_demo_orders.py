"""The demo session's orders: the same every time, inside the band, within each trader's
means, and some of them crossing."""

from __future__ import annotations

from cqx_local.demo_market import PREVIOUS_CLOSE_FEN, covered_units
from cqx_local.demo_orders import Trader, assign_sides, buy_cost_fen, plan_orders
from cqx_sdk import Side

BAND = (6717, 8209)  # ±10% of 74.63, rounded inwards to the tick (R-T2)


def _traders(cash_fen: int = 500_000_000, tonnes: int = 20_000) -> list[Trader]:
    ids = [u.account_id for u in covered_units()[:24]]
    sides = assign_sides(ids)
    return [Trader(a, sides[a], tonnes if sides[a] is Side.SELL else 0, cash_fen) for a in ids]


def test_the_plan_is_the_same_every_time() -> None:
    first = plan_orders(_traders(), PREVIOUS_CLOSE_FEN, BAND, 5)
    assert first == plan_orders(_traders(), PREVIOUS_CLOSE_FEN, BAND, 5)
    assert len(first) == 160


def test_r_t2_every_price_is_inside_the_band_and_some_orders_cross() -> None:
    orders = plan_orders(_traders(), PREVIOUS_CLOSE_FEN, BAND, 5)
    assert all(BAND[0] <= o.price_fen <= BAND[1] for o in orders)
    best_bid = max(o.price_fen for o in orders if o.side is Side.BUY)
    best_ask = min(o.price_fen for o in orders if o.side is Side.SELL)
    assert best_bid > best_ask


def test_no_one_both_buys_and_sells() -> None:
    sides: dict[str, set[Side]] = {}
    for o in plan_orders(_traders(), PREVIOUS_CLOSE_FEN, BAND, 5):
        sides.setdefault(o.account_id, set()).add(o.side)
    assert all(len(s) == 1 for s in sides.values())


def test_r_t5_sells_and_buys_stay_within_what_each_trader_has() -> None:
    traders = _traders(cash_fen=3_000_000, tonnes=1_000)
    orders = plan_orders(traders, PREVIOUS_CLOSE_FEN, BAND, 5)
    for t in traders:
        mine = [o for o in orders if o.account_id == t.account_id]
        if t.side is Side.SELL:
            assert sum(o.quantity_tonnes for o in mine) <= 1_000
        else:
            assert sum(buy_cost_fen(o.price_fen, o.quantity_tonnes, 5) for o in mine) <= 3_000_000
    assert all(o.quantity_tonnes > 0 and o.quantity_tonnes % 100 == 0 for o in orders)


def test_a_buy_reserves_the_fee_rounded_up_to_the_fen() -> None:
    assert buy_cost_fen(7463, 100, 5) == 746_300 + 374  # 373.15 fen of fee, rounded up
    assert buy_cost_fen(7463, 100, 0) == 746_300
