"""Refusals that explain: each rule with figures says what was allowed, and the recorded
rejection stays the bare code (its shape and bytes are those of any other rejection)."""

from __future__ import annotations

import pytest

from cqx_matching.domain import (
    AssignAllowances,
    CommandRejected,
    Event,
    OrderRejected,
    PlaceOrder,
    PostListing,
    ProposeBlockTrade,
    Reason,
    Refusal,
    Side,
    WithdrawAllowances,
    WithdrawFunds,
    details_of,
)
from tests.unit.matching.support import INSTRUMENT, MORNING, Market, at, config


def refusal(events: list[Event]) -> Refusal:
    """The one rejection among ``events``, with its explanation."""
    [reason] = [e.reason for e in events if isinstance(e, OrderRejected | CommandRejected)]
    assert isinstance(reason, Refusal), reason
    return reason


def buy(account: str, quantity: int, price: int, order_id: str = "o1") -> PlaceOrder:
    return PlaceOrder(INSTRUMENT, order_id, account, Side.BUY, quantity, price, MORNING)


@pytest.fixture
def market() -> Market:
    m = Market()
    m.fund("A", cash=1_000_000, allowances=500)
    m.fund("B")
    return m


def test_a_price_outside_the_band_names_the_band(market: Market) -> None:
    refused = refusal(market.when(buy("A", 1, 6_601)))
    assert refused == Reason.PRICE_OUTSIDE_BAND
    assert refused.details == {
        "mode": "CONTINUOUS", "price_fen": "6601", "band_lower_fen": "5400",
        "band_upper_fen": "6600", "reference_price_fen": "6000",
    }  # fmt: skip
    assert "54.00–66.00 CNY" in refused.explanation
    assert "66.01" in refused.explanation


def test_a_price_off_the_tick_names_the_tick() -> None:
    market = Market(config(tick=10))
    market.fund("A")
    refused = refusal(market.when(buy("A", 1, 6_005)))
    assert refused == Reason.PRICE_NOT_ON_TICK
    assert refused.details == {"price_fen": "6005", "tick_fen": "10"}


def test_a_continuous_order_too_large_names_the_continuous_limit(market: Market) -> None:
    refused = refusal(market.when(buy("B", 10_000_000, 6_000)))
    assert refused == Reason.QUANTITY_TOO_LARGE
    assert "LISTED" not in refused
    assert refused.details == {
        "mode": "CONTINUOUS", "quantity_tonnes": "10000000",
        "quantity_limit_tonnes": "100000", "max_quantity_tonnes": "99999",
    }  # fmt: skip
    assert "continuous order" in refused.explanation
    assert "under 100,000 t" in refused.explanation


def test_a_listing_too_large_keeps_its_listed_reason_and_names_the_limit(market: Market) -> None:
    listing = PostListing(INSTRUMENT, "l1", "B", Side.SELL, 100_000, 6_000, MORNING)
    refused = refusal(market.when(listing))
    assert refused == Reason.LISTED_QUANTITY_TOO_LARGE
    assert refused.details["mode"] == "LISTED"
    assert refused.details["quantity_limit_tonnes"] == "100000"


def test_a_buy_short_of_funds_names_the_callers_own_free_funds(market: Market) -> None:
    market.given(buy("B", 10, 6_000, "b-order"))  # another participant's figures stay out
    refused = refusal(market.when(buy("A", 200, 6_000)))
    assert refused == Reason.INSUFFICIENT_FUNDS
    assert refused.details == {
        "account_id": "A", "free_funds_fen": "1000000", "required_funds_fen": "1200000",
    }  # fmt: skip
    assert "A has 10,000.00 CNY free; this needs 12,000.00 CNY" in refused.explanation


def test_a_sell_short_of_allowances_names_the_callers_own_free_quantity(market: Market) -> None:
    sell = PlaceOrder(INSTRUMENT, "s1", "A", Side.SELL, 501, 6_000, MORNING)
    refused = refusal(market.when(sell))
    assert refused == Reason.INSUFFICIENT_ALLOWANCES
    assert refused.details == {
        "account_id": "A", "instrument": INSTRUMENT, "free_quantity_tonnes": "500",
        "required_quantity_tonnes": "501",
    }  # fmt: skip


@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
def test_an_account_the_exchange_never_had_is_not_found(market: Market, side: Side) -> None:
    order = PlaceOrder(INSTRUMENT, "x1", "NOBODY", side, 1, 6_000, MORNING)
    refused = refusal(market.when(order))
    assert refused == Reason.ACCOUNT_NOT_FOUND
    assert refused.details == {"account_id": "NOBODY"}
    assert "NOBODY is not known to the exchange" in refused.explanation


def test_an_account_with_only_allowances_is_known_and_short_of_funds(market: Market) -> None:
    market.given(AssignAllowances("SELLER", INSTRUMENT, 5, at(9, 2)))
    refused = refusal(market.when(buy("SELLER", 1, 6_000)))
    assert refused == Reason.INSUFFICIENT_FUNDS
    assert refused.details["free_funds_fen"] == "0"


def test_withdrawals_name_what_is_free(market: Market) -> None:
    cash = refusal(market.when(WithdrawFunds("A", 1_000_001, at(9, 3))))
    assert cash == Reason.INSUFFICIENT_FUNDS
    assert cash.details["free_funds_fen"] == "1000000"
    stock = refusal(market.when(WithdrawAllowances("A", INSTRUMENT, 501, at(9, 3))))
    assert stock == Reason.INSUFFICIENT_ALLOWANCES
    assert stock.details["free_quantity_tonnes"] == "500"


def test_a_block_quote_too_small_names_the_minimum(market: Market) -> None:
    quote = ProposeBlockTrade(INSTRUMENT, "q1", "B", Side.SELL, 6_000, 10, at(14, 0))
    refused = refusal(market.when(quote))
    assert refused == Reason.BLOCK_QUANTITY_TOO_SMALL
    assert refused.details == {"quantity_tonnes": "10", "min_quantity_tonnes": "100000"}


def test_a_bare_code_has_no_explanation() -> None:
    assert details_of(Reason.DAY_NOT_OPEN) == ("", {})
