"""One-way bidding (单向竞价, R-T11): sealed bids against an initiator's announcement.

The initiator announces side, quantity, reserve price, window and who may bid. Bids are
sealed (nothing about them is published before the close) and reserve their funds or
allowances. At the close the bids fill by price (best for the initiator first), then time,
with a partial fill at the margin; each winning bid trades at its own price (pay as bid).
With ``PRICE_PRO_RATA`` the bids at the marginal price share what is left in proportion to
their quantities, rounded down, and the tonnes left by rounding go by time. What did not
fill is released.

Checks of the instrument's rules (window inside a session, band, funds) are the exchange's.
Decide/evolve: the methods read and return events; ``evolve`` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from cqx_matching.domain.commands import AnnounceBidding, SubmitBid
from cqx_matching.domain.deal_events import (
    BiddingAnnounced,
    BiddingClosed,
    BidReleased,
    BidSubmitted,
)
from cqx_matching.domain.events import (
    Event,
    TradeExecuted,
)
from cqx_matching.domain.instruments import fee
from cqx_matching.domain.vocabulary import BiddingAllocation, Reason, Side, TradingMode


@dataclass(frozen=True, slots=True)
class Bid:
    """A sealed bid; ``sequence`` is its arrival order."""

    bid_id: str
    account: str
    price: int
    quantity: int
    sequence: int


@dataclass(slots=True)
class OneWayBidding:
    """An announced auction and the bids it has received."""

    auction_id: str
    initiator: str
    side: Side  # the initiator's side; bidders take the other
    quantity: int
    reserve_price: int
    window_start: int
    window_end: int
    eligible: frozenset[str] | None
    bids: dict[str, Bid] = field(default_factory=dict)
    closed: bool = False

    def admits(self, price: int) -> bool:
        """Whether a bid at ``price`` meets the reserve (at least it for a sale)."""
        if self.side is Side.SELL:
            return price >= self.reserve_price
        return price <= self.reserve_price

    def may_bid(self, account: str) -> bool:
        """Whether ``account`` is an eligible bidder."""
        if account == self.initiator:
            return False
        return self.eligible is None or account in self.eligible

    def ranked(self) -> list[Bid]:
        """The bids, best for the initiator first, then by time."""
        sign = -1 if self.side is Side.SELL else 1
        return sorted(self.bids.values(), key=lambda b: (sign * b.price, b.sequence))

    def allocate(
        self, rule: BiddingAllocation, excluded: frozenset[str] = frozenset()
    ) -> list[tuple[Bid, int]]:
        """How much each winning bid fills, in priority order; the bids of ``excluded``
        accounts fill nothing, and nothing fills if the initiator is excluded."""
        if self.initiator in excluded:
            return []
        left, fills = self.quantity, []
        ranked = [b for b in self.ranked() if b.account not in excluded]
        for _, group in groupby(ranked, key=lambda b: b.price):
            bids = list(group)
            total = sum(b.quantity for b in bids)
            if total <= left or rule is BiddingAllocation.PRICE_TIME:
                shares = [min(b.quantity, max(left - done, 0)) for b, done in _running(bids)]
            else:
                shares = _pro_rata(bids, left, total)
            fills += [(b, s) for b, s in zip(bids, shares, strict=True) if s]
            left -= sum(shares)
            if not left:
                break
        return fills


def _running(bids: list[Bid]) -> list[tuple[Bid, int]]:
    """Each bid with the quantity of the bids ahead of it."""
    done, out = 0, []
    for b in bids:
        out.append((b, done))
        done += b.quantity
    return out


def _pro_rata(bids: list[Bid], left: int, total: int) -> list[int]:
    """Shares of ``left`` in proportion to quantity, rounded down; leftovers by time."""
    shares = [left * b.quantity // total for b in bids]
    spare = left - sum(shares)
    for i in sorted(range(len(bids)), key=lambda i: bids[i].sequence):
        extra = min(spare, bids[i].quantity - shares[i])
        shares[i] += extra
        spare -= extra
    return shares


class BiddingDesk:
    """One instrument's one-way biddings."""

    def __init__(self, instrument: str) -> None:
        self.instrument = instrument
        self.auctions: dict[str, OneWayBidding] = {}
        self.bid_ids: set[str] = set()
        self.sequence = 0

    def knows(self, some_id: str) -> bool:
        """Whether ``some_id`` names an auction or a bid already (ids share one space)."""
        return some_id in self.auctions or some_id in self.bid_ids

    def announce(self, c: AnnounceBidding) -> list[Event] | str:
        """The announcement, or the reason it is refused."""
        if self.knows(c.auction_id):
            return Reason.DUPLICATE_ID
        return [
            BiddingAnnounced(
                c.instrument, c.auction_id, c.account, c.side, c.quantity, c.reserve_price,
                c.window_start, c.window_end, c.eligible, c.at,
            )
        ]  # fmt: skip

    def submit(self, c: SubmitBid) -> list[Event] | str:
        """The bid, or the reason it is refused (funds are checked by the exchange)."""
        auction = self.auctions.get(c.auction_id)
        if auction is None:
            return Reason.AUCTION_NOT_FOUND
        if auction.closed:
            return Reason.AUCTION_CLOSED
        if not auction.window_start <= c.at < auction.window_end:
            return Reason.OUTSIDE_BIDDING_WINDOW
        if not auction.may_bid(c.account):
            return Reason.NOT_ELIGIBLE_TO_BID
        if self.knows(c.bid_id):
            return Reason.DUPLICATE_ID
        if c.quantity > auction.quantity:
            return Reason.BID_QUANTITY_TOO_LARGE
        if not auction.admits(c.price):
            return Reason.BID_WORSE_THAN_RESERVE
        return [
            BidSubmitted(c.instrument, c.auction_id, c.bid_id, c.account, c.price, c.quantity, c.at)
        ]

    def close(
        self,
        auction: OneWayBidding,
        rule: BiddingAllocation,
        fee_bps: int,
        first_trade: int,
        at: int,
        excluded: frozenset[str] = frozenset(),
    ) -> list[Event]:
        """Allocate ``auction``: its trades, the released bids, and the closing figure
        (``excluded``: accounts that may not trade now, R-A5)."""
        events: list[Event] = []
        filled: dict[str, int] = {}
        for bid, quantity in auction.allocate(rule, excluded):
            filled[bid.bid_id] = quantity
            events.append(self._trade(auction, bid, quantity, fee_bps, first_trade, at))
            first_trade += 1
        for bid in sorted(auction.bids.values(), key=lambda b: b.sequence):
            unfilled = bid.quantity - filled.get(bid.bid_id, 0)
            if unfilled:
                events.append(
                    BidReleased(
                        self.instrument, auction.auction_id, bid.bid_id, bid.account, unfilled, at
                    )
                )
        events.append(BiddingClosed(self.instrument, auction.auction_id, sum(filled.values()), at))
        return events

    def _trade(
        self, auction: OneWayBidding, bid: Bid, quantity: int, fee_bps: int, trade_id: int, at: int
    ) -> TradeExecuted:
        charge = fee(bid.price * quantity, fee_bps)
        initiator = (auction.auction_id, auction.initiator)
        bidder = (bid.bid_id, bid.account)
        (buy_id, buyer), (sell_id, seller) = (
            (bidder, initiator) if auction.side is Side.SELL else (initiator, bidder)
        )
        return TradeExecuted(
            self.instrument, trade_id, TradingMode.BIDDING, bid.price, quantity, buy_id, buyer,
            sell_id, seller, None, charge, charge, at,
        )  # fmt: skip

    def evolve(self, event: Event) -> None:
        """Apply a bidding event."""
        if isinstance(event, BiddingAnnounced):
            self.auctions[event.auction_id] = OneWayBidding(
                event.auction_id, event.account, event.side, event.quantity, event.reserve_price,
                event.window_start, event.window_end, event.eligible,
            )  # fmt: skip
        elif isinstance(event, BidSubmitted):
            self.sequence += 1
            bid = Bid(event.bid_id, event.account, event.price, event.quantity, self.sequence)
            self.auctions[event.auction_id].bids[event.bid_id] = bid
            self.bid_ids.add(event.bid_id)
        elif isinstance(event, BiddingClosed):
            self.auctions[event.auction_id].closed = True

    def open_auctions(self) -> list[OneWayBidding]:
        """Auctions not yet allocated, in announcement order."""
        return [a for a in self.auctions.values() if not a.closed]

    def forget_day(self) -> None:
        """After the close: closed auctions and their ids are forgotten."""
        self.auctions = {k: a for k, a in self.auctions.items() if not a.closed}
        self.bid_ids = {b for a in self.auctions.values() for b in a.bids}

    def snapshot(self) -> tuple[object, ...]:
        """The desk as plain values."""
        return (sorted((k, repr(a)) for k, a in self.auctions.items()), sorted(self.bid_ids))
