"""Block agreement trading (大宗协议): R-T3 (with R-T4's afternoon session and R-T5)."""

from __future__ import annotations

import pytest

from cqx_matching.domain import (
    AcceptBlockTrade,
    BlockTradeAgreed,
    BlockTradeCountered,
    BlockTradeProposed,
    BlockTradeWithdrawn,
    CounterBlockTrade,
    DepositFunds,
    ProposeBlockTrade,
    Reason,
    Side,
    TradingMode,
    WithdrawBlockTrade,
)
from tests.unit.matching.support import (
    AFTERNOON,
    INSTRUMENT,
    MORNING,
    Market,
    at,
    config,
    reasons,
    trades,
)

BLOCK = 100_000


def propose(
    nid: str,
    account: str,
    side: Side,
    price: int,
    quantity: int = BLOCK,
    counterparty: str | None = "B",
    when: int = AFTERNOON,
) -> ProposeBlockTrade:
    return ProposeBlockTrade(INSTRUMENT, nid, account, side, price, quantity, when, counterparty)


def counter(nid: str, account: str, price: int, quantity: int = BLOCK) -> CounterBlockTrade:
    return CounterBlockTrade(INSTRUMENT, nid, account, price, quantity, AFTERNOON)


def accept(nid: str, account: str, price: int, quantity: int = BLOCK) -> AcceptBlockTrade:
    return AcceptBlockTrade(INSTRUMENT, nid, account, price, quantity, AFTERNOON)


@pytest.fixture
def market() -> Market:
    m = Market(config(fee_bps=10))
    m.fund("A", "B", "C")
    return m


def test_R_T3_a_deal_exists_when_both_confirm_the_same_terms(market: Market) -> None:
    market.given(propose("n1", "A", Side.SELL, 6_100))
    events = market.when(accept("n1", "B", 6_100))
    assert isinstance(events[0], BlockTradeAgreed)
    (trade,) = trades(events)
    assert (trade.mode, trade.price, trade.quantity) == (TradingMode.BLOCK, 6_100, BLOCK)
    assert (trade.seller, trade.buyer, trade.aggressor) == ("A", "B", None)
    assert trade.buyer_fee == 6_100 * BLOCK * 10 // 10_000


def test_R_T3_a_block_of_less_than_100000_tonnes_is_rejected(market: Market) -> None:
    events = market.when(propose("n1", "A", Side.SELL, 6_000, quantity=99_999))
    assert reasons(events) == [Reason.BLOCK_QUANTITY_TOO_SMALL]


@pytest.mark.parametrize(
    ("price", "accepted"), [(4_200, True), (4_199, False), (7_800, True), (7_801, False)]
)
def test_R_T3_price_within_30_percent_of_the_previous_close(
    market: Market, price: int, accepted: bool
) -> None:
    events = market.when(propose("n1", "A", Side.SELL, price))
    assert reasons(events) == ([] if accepted else [Reason.PRICE_OUTSIDE_BAND])


@pytest.mark.parametrize("when", [at(10, 0), at(12, 59, 59), at(15, 0)])
def test_R_T3_block_trading_is_open_only_13_00_to_15_00(market: Market, when: int) -> None:
    events = market.when(propose("n1", "A", Side.SELL, 6_000, when=when))
    assert reasons(events) == [Reason.SESSION_CLOSED]


def test_R_T3_the_counterparty_may_counter_and_the_proposer_accept(market: Market) -> None:
    market.given(propose("n1", "A", Side.SELL, 6_200))
    assert isinstance(market.when(counter("n1", "B", 6_100))[0], BlockTradeCountered)
    (trade,) = trades(market.when(accept("n1", "A", 6_100)))
    assert (trade.price, trade.seller, trade.buyer) == (6_100, "A", "B")


def test_R_T3_a_party_cannot_accept_its_own_terms(market: Market) -> None:
    market.given(propose("n1", "A", Side.SELL, 6_200))
    assert reasons(market.when(accept("n1", "A", 6_200))) == [Reason.OWN_TERMS]


def test_R_T3_accepting_other_terms_than_the_confirmed_ones_is_rejected(market: Market) -> None:
    market.given(propose("n1", "A", Side.SELL, 6_200), counter("n1", "A", 6_150))
    assert reasons(market.when(accept("n1", "B", 6_200))) == [Reason.TERMS_MISMATCH]
    assert reasons(market.when(accept("n1", "B", 6_150, BLOCK + 1))) == [Reason.TERMS_MISMATCH]
    assert trades(market.when(accept("n1", "B", 6_150)))


def test_R_T3_only_the_named_parties_may_act(market: Market) -> None:
    market.given(propose("n1", "A", Side.SELL, 6_200))
    assert reasons(market.when(accept("n1", "C", 6_200))) == [Reason.NOT_A_PARTY]
    assert reasons(market.when(counter("n1", "C", 6_100))) == [Reason.NOT_A_PARTY]


def test_R_T3_an_open_quote_takes_the_first_party_that_answers(market: Market) -> None:
    market.given(propose("n1", "A", Side.BUY, 6_000, counterparty=None))
    market.given(counter("n1", "C", 6_050))
    assert reasons(market.when(accept("n1", "B", 6_050))) == [Reason.NOT_A_PARTY]
    (trade,) = trades(market.when(accept("n1", "A", 6_050)))
    assert (trade.buyer, trade.seller) == ("A", "C")


def test_R_T3_a_quote_to_oneself_is_rejected(market: Market) -> None:
    assert reasons(market.when(propose("n1", "A", Side.SELL, 6_000, counterparty="A"))) == [
        Reason.COUNTERPARTY_IS_SELF
    ]


def test_R_T3_either_party_may_withdraw_before_the_deal(market: Market) -> None:
    market.given(propose("n1", "A", Side.SELL, 6_200))
    events = market.when(WithdrawBlockTrade(INSTRUMENT, "n1", "B", AFTERNOON))
    assert isinstance(events[0], BlockTradeWithdrawn)
    assert reasons(market.when(accept("n1", "B", 6_200))) == [Reason.NEGOTIATION_NOT_FOUND]


def test_R_T3_a_deal_cannot_be_withdrawn(market: Market) -> None:
    market.given(propose("n1", "A", Side.SELL, 6_200), accept("n1", "B", 6_200))
    events = market.when(WithdrawBlockTrade(INSTRUMENT, "n1", "A", AFTERNOON))
    assert reasons(events) == [Reason.NEGOTIATION_NOT_FOUND]


def test_R_T5_a_quote_reserves_what_its_proposer_commits(market: Market) -> None:
    ledger = market.exchange.ledger
    free = ledger.free_allowances("A", INSTRUMENT)
    market.given(propose("n1", "A", Side.SELL, 6_200))
    assert ledger.free_allowances("A", INSTRUMENT) == free - BLOCK
    market.given(WithdrawBlockTrade(INSTRUMENT, "n1", "A", AFTERNOON))
    assert ledger.free_allowances("A", INSTRUMENT) == free


def test_R_T5_a_counter_moves_the_reservation_to_the_counterer(market: Market) -> None:
    ledger = market.exchange.ledger
    cash = ledger.free_cash("B")
    market.given(propose("n1", "A", Side.SELL, 6_200), counter("n1", "B", 6_000))
    held = ledger.held((INSTRUMENT, TradingMode.BLOCK, "n1"))
    assert held is not None
    assert held.account == "B"
    assert ledger.free_cash("B") == cash - (6_000 * BLOCK + 6_000 * BLOCK * 10 // 10_000)
    assert ledger.free_allowances("A", INSTRUMENT) == 1_000_000


def test_R_T5_an_accepter_without_the_funds_is_rejected() -> None:
    market = Market()
    market.fund("A")
    market.given(DepositFunds("B", 6_000 * BLOCK - 1, MORNING))
    market.given(propose("n1", "A", Side.SELL, 6_000))
    assert reasons(market.when(accept("n1", "B", 6_000))) == [Reason.INSUFFICIENT_FUNDS]


def test_R_T5_a_proposer_without_the_allowances_is_rejected() -> None:
    market = Market()
    market.fund("B", allowances=0)
    events = market.when(propose("n1", "B", Side.SELL, 6_000, counterparty="A"))
    assert reasons(events) == [Reason.INSUFFICIENT_ALLOWANCES]


def test_a_negotiation_id_is_used_once_a_day(market: Market) -> None:
    market.given(propose("n1", "A", Side.SELL, 6_200))
    assert isinstance(market.log[-1], BlockTradeProposed)
    assert reasons(market.when(propose("n1", "A", Side.SELL, 6_200))) == [Reason.DUPLICATE_ID]
