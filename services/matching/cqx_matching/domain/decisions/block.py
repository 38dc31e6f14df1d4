"""Decisions on block agreements (R-T3): ≥ 100,000 t, ±30% of the previous close, 13:00–15:00
(R-T4), two named parties confirming the same terms, each covering its side (R-T5)."""

from __future__ import annotations

from cqx_matching.domain.commands import (
    AcceptBlockTrade,
    CounterBlockTrade,
    ProposeBlockTrade,
    WithdrawBlockTrade,
)
from cqx_matching.domain.rules import (
    block_quantity_problem,
    cover_problem,
    open_market,
    price_problem,
)
from cqx_matching.domain.state import ExchangeState, InstrumentMarket
from cqx_matching.domain.vocabulary import Reason, Side, TradingMode

BlockCommand = ProposeBlockTrade | CounterBlockTrade | AcceptBlockTrade | WithdrawBlockTrade
BLOCK = TradingMode.BLOCK


def _terms_problem(market: InstrumentMarket, price: int, quantity: int) -> str | None:
    config = market.config
    return block_quantity_problem(config, quantity) or price_problem(
        config, BLOCK, market.reference_price, price
    )


def propose_block_trade(ex: ExchangeState, c: ProposeBlockTrade) -> str | None:
    """A quote, to a named counterparty or to anyone."""
    market = open_market(ex, c.instrument, BLOCK, c.at)
    if isinstance(market, str):
        return market
    problem = _terms_problem(market, c.price, c.quantity) or cover_problem(
        ex, market, c.account, c.side is Side.BUY, c.price, c.quantity
    )
    proposal = market.block.propose(c) if problem is None else problem
    if isinstance(proposal, str):
        return proposal
    ex.record(proposal)
    return None


def counter_block_trade(ex: ExchangeState, c: CounterBlockTrade) -> str | None:
    """New terms from either party, which it confirms (and covers)."""
    market = open_market(ex, c.instrument, BLOCK, c.at)
    if isinstance(market, str):
        return market
    found = market.block.negotiation(c)
    if isinstance(found, str):
        return found
    held = ex.ledger.held((c.instrument, BLOCK, c.negotiation_id))
    buys = found.side_of(c.account) is Side.BUY
    problem = _terms_problem(market, c.price, c.quantity) or cover_problem(
        ex, market, c.account, buys, c.price, c.quantity, held
    )
    if problem is not None:
        return problem
    ex.record(market.block.counter(c))
    return None


def accept_block_trade(ex: ExchangeState, c: AcceptBlockTrade) -> str | None:
    """Confirm the other party's terms: the deal and its trade."""
    market = open_market(ex, c.instrument, BLOCK, c.at)
    if isinstance(market, str):
        return market
    found = market.block.negotiation(c)
    if isinstance(found, str):
        return found
    buys = found.side_of(c.account) is Side.BUY
    deal = market.block.accept(c, market.config.fee_bps, market.trades.value + 1)
    if isinstance(deal, str):
        return deal
    problem = cover_problem(ex, market, c.account, buys, c.price, c.quantity)
    if problem is not None:
        return problem
    ex.record(deal)
    return None


def withdraw_block_trade(ex: ExchangeState, c: WithdrawBlockTrade) -> str | None:
    """A party leaves before the deal; allowed whenever the trading day is open."""
    market = open_market(ex, c.instrument, BLOCK, c.at, session=False)
    if isinstance(market, str):
        return market
    found = market.block.negotiation(c)
    if isinstance(found, str):
        return found
    if found.counterparty is None and c.account != found.proposer:
        return Reason.NOT_A_PARTY
    ex.record(market.block.withdraw(c))
    return None
