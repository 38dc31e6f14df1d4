"""Decisions on one-way bidding (R-T11): the announcement, the sealed bids, the close."""

from __future__ import annotations

from cqx_matching.domain.commands import AnnounceBidding, CloseBidding, SubmitBid
from cqx_matching.domain.desks.bidding import OneWayBidding
from cqx_matching.domain.rules import cover_problem, open_market, price_problem
from cqx_matching.domain.state import ExchangeState, InstrumentMarket
from cqx_matching.domain.vocabulary import Reason, Side, TradingMode

BIDDING = TradingMode.BIDDING


def _window_problem(ex: ExchangeState, c: AnnounceBidding) -> str | None:
    """The window must lie inside one bidding session of today and not be over already."""
    if not c.window_start < c.window_end or c.window_end <= c.at:
        return Reason.BIDDING_WINDOW_INVALID
    if not (ex.calendar.covers(c.window_start) and ex.calendar.covers(c.window_end)):
        return Reason.BIDDING_WINDOW_INVALID  # no local time to compare (the edge refuses it)
    if ex.calendar.day_of(c.window_start) != ex.day:
        return Reason.BIDDING_WINDOW_INVALID
    if not ex.calendar.within_one_session(BIDDING, c.window_start, c.window_end):
        return Reason.BIDDING_WINDOW_INVALID
    return None


def announce_bidding(ex: ExchangeState, c: AnnounceBidding) -> str | None:
    """The initiator's announcement; its quantity (or money) is reserved (R-T5)."""
    market = open_market(ex, c.instrument, BIDDING, c.at, session=False)
    if isinstance(market, str):
        return market
    problem: str | None = _window_problem(ex, c)
    if problem is None and c.quantity <= 0:
        problem = Reason.QUANTITY_NOT_POSITIVE
    problem = problem or price_problem(
        market.config, BIDDING, market.reference_price, c.reserve_price
    )
    buys = c.side is Side.BUY
    problem = problem or cover_problem(ex, market, c.account, buys, c.reserve_price, c.quantity)
    announcement = market.bidding.announce(c) if problem is None else problem
    if isinstance(announcement, str):
        return announcement
    ex.record(announcement)
    return None


def submit_bid(ex: ExchangeState, c: SubmitBid) -> str | None:
    """A sealed bid inside the window; it reserves what it would cost (R-T5)."""
    market = open_market(ex, c.instrument, BIDDING, c.at, session=False)
    if isinstance(market, str):
        return market
    problem: str | None = Reason.QUANTITY_NOT_POSITIVE if c.quantity <= 0 else None
    problem = problem or price_problem(market.config, BIDDING, market.reference_price, c.price)
    bid = market.bidding.submit(c) if problem is None else problem
    if isinstance(bid, str):
        return bid
    buys = market.bidding.auctions[c.auction_id].side is Side.SELL
    problem = cover_problem(ex, market, c.account, buys, c.price, c.quantity)
    if problem is not None:
        return problem
    ex.record(bid)
    return None


def close_bidding(ex: ExchangeState, c: CloseBidding) -> str | None:
    """Allocate an auction once its window is over."""
    market = open_market(ex, c.instrument, BIDDING, c.at, session=False)
    if isinstance(market, str):
        return market
    auction = market.bidding.auctions.get(c.auction_id)
    if auction is None:
        return Reason.AUCTION_NOT_FOUND
    if auction.closed:
        return Reason.AUCTION_CLOSED
    if c.at < auction.window_end:
        return Reason.BIDDING_WINDOW_NOT_OVER
    allocate(ex, market, auction, c.at)
    return None


def allocate(ex: ExchangeState, market: InstrumentMarket, auction: OneWayBidding, at: int) -> None:
    """Fill the bids by price then time (or pro rata), publish, release the rest. A restricted
    participant's bid does not fill, and an auction it announced fills nothing (R-A5)."""
    config = market.config
    first_trade = market.trades.value + 1
    rule, fee_bps = config.bidding_allocation, config.fee_bps
    excluded = frozenset(ex.restricted)
    ex.record(market.bidding.close(auction, rule, fee_bps, first_trade, at, excluded))
