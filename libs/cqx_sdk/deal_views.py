"""Block agreement negotiations (R-T3) and one-way biddings (R-T11) as plain values: prices in
fen per tonne, quantities in tonnes, times in microseconds since the Unix epoch (UTC)."""

from __future__ import annotations

from dataclasses import dataclass

from cqx.matching.v1 import matching_service_pb2 as api

from cqx_sdk.enums import word
from cqx_sdk.matching_views import Side, Trade


@dataclass(frozen=True, slots=True)
class BlockNegotiation:
    """A block deal being negotiated (``status``: open, agreed, withdrawn, expired). The
    terms are those last confirmed, by ``confirmed_by_account_id``; the other party accepts
    them by repeating them. ``counterparty_account_id`` is empty while an open quote has no
    taker; ``trade_id`` is set once agreed."""

    negotiation_id: str
    instrument: str
    proposer_account_id: str
    counterparty_account_id: str
    proposer_side: Side
    price_fen: int
    quantity_tonnes: int
    confirmed_by_account_id: str
    status: str
    trade_id: str
    withdrawn_by_account_id: str

    @classmethod
    def from_proto(cls, m: api.BlockNegotiation) -> BlockNegotiation:
        """From its message."""
        return cls(
            m.negotiation_id,
            m.instrument,
            m.proposer_account_id,
            m.counterparty_account_id,
            Side.from_proto(m.proposer_side),
            m.price_fen,
            m.quantity_tonnes,
            m.confirmed_by_account_id,
            word(api.NegotiationStatus, "NEGOTIATION_STATUS_", m.status),
            m.trade_id,
            m.withdrawn_by_account_id,
        )


@dataclass(frozen=True, slots=True)
class BlockDeal:
    """An accepted negotiation and the trade it made."""

    negotiation: BlockNegotiation
    trade: Trade


@dataclass(frozen=True, slots=True)
class Auction:
    """A one-way bidding: the initiator sells (or buys) ``quantity_tonnes`` at the reserve
    price or better, bids accepted in [window_start_us, window_end_us). ``status``: open or
    closed; ``filled_tonnes`` once closed. No eligible accounts: anyone but the initiator."""

    auction_id: str
    instrument: str
    initiator_account_id: str
    side: Side
    quantity_tonnes: int
    reserve_price_fen: int
    window_start_us: int
    window_end_us: int
    eligible_account_ids: tuple[str, ...]
    status: str
    bid_count: int
    filled_tonnes: int

    @classmethod
    def from_proto(cls, m: api.Auction) -> Auction:
        """From its message."""
        return cls(
            m.auction_id,
            m.instrument,
            m.initiator_account_id,
            Side.from_proto(m.side),
            m.quantity_tonnes,
            m.reserve_price_fen,
            m.window_start_us,
            m.window_end_us,
            tuple(m.eligible_account_ids),
            word(api.AuctionStatus, "AUCTION_STATUS_", m.status),
            m.bid_count,
            m.filled_tonnes,
        )


@dataclass(frozen=True, slots=True)
class Bid:
    """A sealed bid, accepted (its price times quantity, or its tonnes, now reserved)."""

    bid_id: str
    auction_id: str
    price_fen: int
    quantity_tonnes: int


@dataclass(frozen=True, slots=True)
class AuctionResult:
    """A closed bidding and the trades its bids made (by price, then time)."""

    auction: Auction
    trades: tuple[Trade, ...]
