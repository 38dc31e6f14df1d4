"""Events: what happened, in the past tense. Replaying them rebuilds the exchange exactly.

Events are values and are never changed after they are emitted. The order and trade events
(emitted on the matching hot path) are plain slotted dataclasses rather than frozen ones:
a frozen dataclass costs about four times as much to construct, which matters at a million
operations a second. The rest are frozen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from cqx_matching.domain.deal_events import (
    BiddingAnnounced,
    BiddingClosed,
    BidReleased,
    BidSubmitted,
    BlockTradeAgreed,
    BlockTradeCountered,
    BlockTradeExpired,
    BlockTradeProposed,
    BlockTradeWithdrawn,
)
from cqx_matching.domain.listing_events import InstrumentDayOpened, InstrumentListed
from cqx_matching.domain.restrictions import TradingReinstated, TradingRestricted
from cqx_matching.domain.vocabulary import (
    CancelReason,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
    TradingMode,
)

# A field added to an event after logs were recorded: its record leaves it out while it holds
# its default, so every event recorded before it existed keeps its canonical bytes.
ADDED_LATER = {"omitted_at_default": True}

# --- orders and trades (the hot path) ----------------------------------------------------


@dataclass(slots=True)
class OrderAccepted:
    """An order passed every check; it rests, trades, or both (the events that follow say)."""

    instrument: str
    order_id: str
    account: str
    side: Side
    price: int
    quantity: int
    mode: TradingMode
    order_type: OrderType
    time_in_force: TimeInForce
    post_only: bool
    at: int
    # The self-trade prevention the order chose (None: its instrument's); a replace keeps it.
    self_trade_prevention: SelfTradePrevention | None = field(default=None, metadata=ADDED_LATER)


@dataclass(slots=True)
class OrderRejected:
    """An order command failed a rule; ``reason`` is the UPPER_SNAKE code. Nothing changed."""

    instrument: str
    order_id: str
    account: str
    command: str
    reason: str
    at: int


@dataclass(slots=True)
class OrderCancelled:
    """An open order left the book with ``quantity`` unfilled, for ``reason``."""

    instrument: str
    order_id: str
    account: str
    mode: TradingMode
    quantity: int
    reason: CancelReason
    at: int


@dataclass(slots=True)
class OrderReduced:
    """An open order's remaining quantity fell to ``quantity``; it kept its place."""

    instrument: str
    order_id: str
    account: str
    mode: TradingMode
    quantity: int
    at: int


@dataclass(slots=True)
class OrderReplaced:
    """An open order took a new price and remaining quantity and went to the back."""

    instrument: str
    order_id: str
    account: str
    mode: TradingMode
    price: int
    quantity: int
    at: int


@dataclass(slots=True)
class OrderExpired:
    """An open order reached the end of the day with ``quantity`` unfilled (R-T10)."""

    instrument: str
    order_id: str
    account: str
    mode: TradingMode
    quantity: int
    at: int


@dataclass(slots=True)
class TradeExecuted:
    """Two orders (or a deal, or a bid and an announcement) traded.

    ``trade_id`` is the instrument's trade sequence number. ``aggressor`` is the taker's side
    where there is one. Fees are each side's, in fen, rounded down.
    """

    instrument: str
    trade_id: int
    mode: TradingMode
    price: int
    quantity: int
    buy_order_id: str
    buyer: str
    sell_order_id: str
    seller: str
    aggressor: Side | None
    buyer_fee: int
    seller_fee: int
    at: int


# --- the risk ledger ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FundsDeposited:
    """Cash became available for trading."""

    account: str
    amount: int
    at: int


@dataclass(frozen=True, slots=True)
class FundsWithdrawn:
    """Free cash left trading."""

    account: str
    amount: int
    at: int


@dataclass(frozen=True, slots=True)
class AllowancesAssigned:
    """Allowances entered the trading position (sellable at once)."""

    account: str
    instrument: str
    quantity: int
    at: int


@dataclass(frozen=True, slots=True)
class AllowancesWithdrawn:
    """Free allowances went back to the registry position."""

    account: str
    instrument: str
    quantity: int
    at: int


# --- the trading day ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TradingDayOpened:
    """The trading day began."""

    day: date
    at: int


@dataclass(frozen=True, slots=True)
class DayClosed:
    """An instrument's statistics for the day (R-T9); ``close`` is next day's reference.

    Open, high, low and close come from the price-forming trades (listed and continuous);
    ``volume`` and ``turnover`` count every trade, ``listed_*`` the price-forming ones.
    """

    instrument: str
    day: date
    open: int
    high: int
    low: int
    close: int
    volume: int
    turnover: int
    listed_volume: int
    listed_turnover: int
    trades: int
    at: int


@dataclass(frozen=True, slots=True)
class TradingDayClosed:
    """The trading day ended; allowances bought today become sellable (R-T6)."""

    day: date
    at: int


@dataclass(frozen=True, slots=True)
class CommandRejected:
    """A non-order command failed a rule; ``subject`` names what it was about."""

    instrument: str | None
    command: str
    subject: str
    account: str | None
    reason: str
    at: int


Event = (
    OrderAccepted
    | OrderRejected
    | OrderCancelled
    | OrderReduced
    | OrderReplaced
    | OrderExpired
    | TradeExecuted
    | BlockTradeProposed
    | BlockTradeCountered
    | BlockTradeAgreed
    | BlockTradeWithdrawn
    | BlockTradeExpired
    | BiddingAnnounced
    | BidSubmitted
    | BidReleased
    | BiddingClosed
    | FundsDeposited
    | FundsWithdrawn
    | AllowancesAssigned
    | AllowancesWithdrawn
    | TradingDayOpened
    | InstrumentListed
    | InstrumentDayOpened
    | DayClosed
    | TradingDayClosed
    | CommandRejected
    | TradingRestricted
    | TradingReinstated
)

EVENT_TYPES: tuple[type[Event], ...] = (
    OrderAccepted,
    OrderRejected,
    OrderCancelled,
    OrderReduced,
    OrderReplaced,
    OrderExpired,
    TradeExecuted,
    BlockTradeProposed,
    BlockTradeCountered,
    BlockTradeAgreed,
    BlockTradeWithdrawn,
    BlockTradeExpired,
    BiddingAnnounced,
    BidSubmitted,
    BidReleased,
    BiddingClosed,
    FundsDeposited,
    FundsWithdrawn,
    AllowancesAssigned,
    AllowancesWithdrawn,
    TradingDayOpened,
    InstrumentListed,
    InstrumentDayOpened,
    DayClosed,
    TradingDayClosed,
    CommandRejected,
    TradingRestricted,
    TradingReinstated,
)

Rejection = OrderRejected | CommandRejected


def rejection_in(events: Iterable[object]) -> Rejection | None:
    """The rejection among ``events``, if the command was rejected (the gRPC edge maps it)."""
    for event in events:
        if isinstance(event, OrderRejected | CommandRejected):
            return event
    return None
