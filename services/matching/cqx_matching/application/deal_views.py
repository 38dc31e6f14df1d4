"""What clients read about block negotiations and one-way biddings, folded from events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cqx_matching.domain import (
    BiddingAnnounced,
    BiddingClosed,
    BidSubmitted,
    BlockTradeAgreed,
    BlockTradeCountered,
    BlockTradeExpired,
    BlockTradeProposed,
    BlockTradeWithdrawn,
    Event,
    Side,
    TradeExecuted,
    TradingMode,
)


class NegotiationStatus(StrEnum):
    """Where a block negotiation stands."""

    OPEN = "OPEN"
    AGREED = "AGREED"
    WITHDRAWN = "WITHDRAWN"
    EXPIRED = "EXPIRED"


@dataclass(slots=True)
class NegotiationView:
    """A block negotiation and the terms last confirmed."""

    negotiation_id: str
    instrument: str
    proposer: str
    counterparty: str | None
    proposer_side: Side
    price: int
    quantity: int
    confirmed_by: str
    status: NegotiationStatus = NegotiationStatus.OPEN
    trade_id: int | None = None
    withdrawn_by: str | None = None


@dataclass(slots=True)
class AuctionView:
    """A one-way bidding: the announcement, how many bids, and what filled."""

    auction_id: str
    instrument: str
    initiator: str
    side: Side
    quantity: int
    reserve_price: int
    window_start: int
    window_end: int
    eligible: frozenset[str] | None
    bids: dict[str, BidSubmitted] = field(default_factory=dict)
    closed: bool = False
    filled: int = 0


class DealHistory:
    """Every negotiation and auction, by id; bids point to their auction."""

    def __init__(self) -> None:
        self.negotiations: dict[str, NegotiationView] = {}
        self.auctions: dict[str, AuctionView] = {}
        self.auction_of_bid: dict[str, str] = {}
        self._steps: dict[type[Any], Callable[[Any], None]] = {
            BlockTradeProposed: self._proposed,
            BlockTradeCountered: self._countered,
            BlockTradeAgreed: self._agreed,
            BlockTradeWithdrawn: self._withdrawn,
            BlockTradeExpired: self._expired,
            TradeExecuted: self._traded,
            BiddingAnnounced: self._announced,
            BidSubmitted: self._bid,
            BiddingClosed: self._closed,
        }

    def apply(self, event: Event) -> None:
        """Fold one event."""
        step = self._steps.get(type(event))
        if step is not None:
            step(event)

    def _proposed(self, e: BlockTradeProposed) -> None:
        self.negotiations[e.negotiation_id] = NegotiationView(
            e.negotiation_id, e.instrument, e.account, e.counterparty, e.side, e.price,
            e.quantity, e.account,
        )  # fmt: skip

    def _countered(self, e: BlockTradeCountered) -> None:
        view = self.negotiations[e.negotiation_id]
        if view.counterparty is None and e.account != view.proposer:
            view.counterparty = e.account
        view.price, view.quantity, view.confirmed_by = e.price, e.quantity, e.account

    def _agreed(self, e: BlockTradeAgreed) -> None:
        view = self.negotiations[e.negotiation_id]
        if view.counterparty is None:
            view.counterparty = e.account
        view.status = NegotiationStatus.AGREED

    def _withdrawn(self, e: BlockTradeWithdrawn) -> None:
        view = self.negotiations[e.negotiation_id]
        view.status, view.withdrawn_by = NegotiationStatus.WITHDRAWN, e.account

    def _expired(self, e: BlockTradeExpired) -> None:
        self.negotiations[e.negotiation_id].status = NegotiationStatus.EXPIRED

    def _traded(self, e: TradeExecuted) -> None:
        if e.mode is TradingMode.BLOCK:
            self.negotiations[e.buy_order_id].trade_id = e.trade_id

    def _announced(self, e: BiddingAnnounced) -> None:
        self.auctions[e.auction_id] = AuctionView(
            e.auction_id, e.instrument, e.account, e.side, e.quantity, e.reserve_price,
            e.window_start, e.window_end, e.eligible,
        )  # fmt: skip

    def _bid(self, e: BidSubmitted) -> None:
        self.auctions[e.auction_id].bids[e.bid_id] = e
        self.auction_of_bid[e.bid_id] = e.auction_id

    def _closed(self, e: BiddingClosed) -> None:
        view = self.auctions[e.auction_id]
        view.closed, view.filled = True, e.filled
