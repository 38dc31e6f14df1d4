"""Events of the negotiated modes: block agreement (R-T3) and one-way bidding (R-T11).

Their trades are ordinary :class:`~cqx_matching.domain.events.TradeExecuted` events.
"""

from __future__ import annotations

from dataclasses import dataclass

from cqx_matching.domain.vocabulary import Side

# --- block agreement -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockTradeProposed:
    """A party quoted a block deal, confirming its own terms."""

    instrument: str
    negotiation_id: str
    account: str
    counterparty: str | None
    side: Side
    price: int
    quantity: int
    at: int


@dataclass(frozen=True, slots=True)
class BlockTradeCountered:
    """A party answered with new terms, which it confirms; the earlier ones lapse."""

    instrument: str
    negotiation_id: str
    account: str
    price: int
    quantity: int
    at: int


@dataclass(frozen=True, slots=True)
class BlockTradeAgreed:
    """Both parties confirmed the same price and quantity; a TradeExecuted follows."""

    instrument: str
    negotiation_id: str
    account: str
    price: int
    quantity: int
    at: int


@dataclass(frozen=True, slots=True)
class BlockTradeWithdrawn:
    """A party left the negotiation before a deal existed."""

    instrument: str
    negotiation_id: str
    account: str
    at: int


@dataclass(frozen=True, slots=True)
class BlockTradeExpired:
    """The day closed with the negotiation still open."""

    instrument: str
    negotiation_id: str
    at: int


# --- one-way bidding ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BiddingAnnounced:
    """An initiator announced a one-way bidding."""

    instrument: str
    auction_id: str
    account: str
    side: Side
    quantity: int
    reserve_price: int
    window_start: int
    window_end: int
    eligible: frozenset[str] | None
    at: int


@dataclass(frozen=True, slots=True)
class BidSubmitted:
    """A sealed bid was accepted and its funds or allowances reserved."""

    instrument: str
    auction_id: str
    bid_id: str
    account: str
    price: int
    quantity: int
    at: int


@dataclass(frozen=True, slots=True)
class BidReleased:
    """At the close, ``quantity`` of a bid did not fill; its reservation was released."""

    instrument: str
    auction_id: str
    bid_id: str
    account: str
    quantity: int
    at: int


@dataclass(frozen=True, slots=True)
class BiddingClosed:
    """The auction was allocated: ``filled`` of the announced quantity traded."""

    instrument: str
    auction_id: str
    filled: int
    at: int
