"""What every trading command must pass before its own decision, in this order.

1. An amendment (cancel, reduce, replace) is refused to anyone but the order's owner, before
   any other rule: a refusal must say nothing about another participant's order, not even
   that it filled. Then an order that has ended (filled, R-T10, or closed, today or on an
   earlier day) cannot be amended.
2. An account whose participant the registry restricted may not add to what it trades: no
   new order, listing, take, replacement, block proposal, counter or acceptance, bidding
   announcement or bid (R-A5). Cancelling, reducing and withdrawing stay open.
3. When the operator opens instruments one by one, the instrument must be listed and open
   today.
"""

from __future__ import annotations

from cqx_matching.domain.book.price_levels import RestingOrder
from cqx_matching.domain.commands import (
    AcceptBlockTrade,
    AnnounceBidding,
    CancelOrder,
    Command,
    CounterBlockTrade,
    PlaceOrder,
    PostListing,
    ProposeBlockTrade,
    ReduceOrder,
    ReplaceOrder,
    SubmitBid,
    TakeListing,
)
from cqx_matching.domain.state import ExchangeState
from cqx_matching.domain.vocabulary import Reason

Amendment = CancelOrder | ReduceOrder | ReplaceOrder
# What a restricted participant's accounts may not do (R-A5): everything that adds exposure.
EXPOSING = (
    PlaceOrder,
    PostListing,
    TakeListing,
    ReplaceOrder,
    ProposeBlockTrade,
    CounterBlockTrade,
    AcceptBlockTrade,
    AnnounceBidding,
    SubmitBid,
)


def amendment_problem(ex: ExchangeState, c: Amendment) -> str | None:
    """Why ``c`` may not amend its order: not the owner's, or the order has ended."""
    owner = ex.orders.owner(c.order_id)
    if owner is not None and owner != c.account:
        return Reason.NOT_ORDER_OWNER
    ended = ex.orders.ended.get(c.order_id)
    market = ex.markets.get(c.instrument)
    if ended is None and market is not None:
        entry = market.book_holding(c.order_id).entry(c.order_id)
        ended = None if entry is None or isinstance(entry, RestingOrder) else entry
    if ended is None:
        return None
    return Reason.ORDER_ALREADY_FILLED if ended else Reason.ORDER_ALREADY_CLOSED


def day_problem(ex: ExchangeState, instrument: str) -> str | None:
    """Why ``instrument`` does not trade today, when instruments open one by one."""
    if not ex.days_by_instrument:
        return None
    market = ex.markets.get(instrument)
    if market is None:
        return Reason.UNKNOWN_INSTRUMENT
    if market.day is None:
        return Reason.DAY_NOT_OPEN
    return None


def admission_problem(ex: ExchangeState, c: Command, trades: bool) -> str | None:
    """Why ``c`` is refused before its own decision (``trades``: an order, deal or bidding
    command, which needs its instrument open today)."""
    if isinstance(c, CancelOrder | ReduceOrder | ReplaceOrder):
        problem = amendment_problem(ex, c)
        if problem is not None:
            return problem
    if isinstance(c, EXPOSING) and c.account in ex.restricted:
        return Reason.PARTICIPANT_RESTRICTED
    return day_problem(ex, getattr(c, "instrument", "")) if trades else None
