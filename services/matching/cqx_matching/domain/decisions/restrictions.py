"""Decisions on a participant's restriction (R-A5), driven by the registry's events.

A restriction is recorded first (``TradingRestricted``: from then on admission refuses the
accounts' new orders, bids and deals); then every resting order of those accounts, in every
instrument's continuous and listed book, is cancelled (``OrderCancelled``, reason
``PARTICIPANT_RESTRICTED``: its reservation is released), and every open block negotiation
they are a party to is withdrawn in their name. Holdings and cash stay. A reinstatement lifts
the refusal. Neither is ever refused: the registry decided them.
"""

from __future__ import annotations

from cqx_matching.domain.deal_events import BlockTradeWithdrawn
from cqx_matching.domain.events import Event, OrderCancelled
from cqx_matching.domain.restrictions import (
    ReinstateTrading,
    RestrictTrading,
    TradingReinstated,
    TradingRestricted,
)
from cqx_matching.domain.state import ExchangeState, InstrumentMarket
from cqx_matching.domain.vocabulary import CancelReason, TradingMode

RESTRICTED = CancelReason.PARTICIPANT_RESTRICTED


def restrict_trading(ex: ExchangeState, c: RestrictTrading) -> str | None:
    """Stop the accounts trading; cancel and withdraw what they have resting."""
    ex.record([TradingRestricted(c.participant_id, c.accounts, c.reason, c.at)])
    for name in sorted(ex.markets):
        ex.record(_resting_of(ex.markets[name], c.accounts, c.at))
    return None


def reinstate_trading(ex: ExchangeState, c: ReinstateTrading) -> str | None:
    """The accounts trade again."""
    ex.record([TradingReinstated(c.participant_id, c.accounts, c.at)])
    return None


def _resting_of(market: InstrumentMarket, accounts: frozenset[str], at: int) -> list[Event]:
    """The cancellations and withdrawals of what ``accounts`` have resting in ``market``."""
    instrument = market.config.instrument
    events: list[Event] = []
    for mode in (TradingMode.CONTINUOUS, TradingMode.LISTED):
        events += [
            OrderCancelled(instrument, o.order_id, o.account, mode, o.remaining, RESTRICTED, at)
            for o in market.book(mode).open_orders()
            if o.account in accounts
        ]
    for negotiation_id, n in market.block.open.items():
        party = n.proposer if n.proposer in accounts else n.counterparty
        if party is not None and party in accounts:
            events.append(BlockTradeWithdrawn(instrument, negotiation_id, party, at))
    return events
