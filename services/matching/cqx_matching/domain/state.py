"""The exchange's state: every instrument's books and desks, the risk ledger, the trading day
and the directory of orders (who placed each, and how the orders of earlier days ended: the
books forget closed orders at the end of each day, yet an amendment must still be refused for
the right reason, ownership first). Decisions read it and record events on it; ``evolve``
changes it.

:class:`ExchangeState` leaves ``record`` to :class:`~cqx_matching.domain.exchange.Exchange`,
which applies each event with ``evolve``: the decisions and the evolution depend on the state,
and the exchange on both, so no module imports one that imports it back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from cqx_kernel.calendar import TradingCalendar
from cqx_matching.domain.book.continuous import ContinuousBook
from cqx_matching.domain.book.listed import ListedAgreementBook
from cqx_matching.domain.book.order_index import OrderIndex, TradeCounter
from cqx_matching.domain.desks.bidding import BiddingDesk
from cqx_matching.domain.desks.block import BlockDesk
from cqx_matching.domain.errors import check
from cqx_matching.domain.events import Event, TradeExecuted
from cqx_matching.domain.instruments import InstrumentConfig
from cqx_matching.domain.risk import Reservation, ReservationKey, RiskLedger
from cqx_matching.domain.statistics import DailyStatistics
from cqx_matching.domain.vocabulary import Side, TradingMode


class OrderDirectory:
    """Every accepted order's account, and whether each order of an earlier day filled."""

    __slots__ = ("accounts", "ended")

    def __init__(self) -> None:
        self.accounts: dict[str, str] = {}  # order id → the account that placed it
        self.ended: dict[str, bool] = {}  # order id of an earlier day → it filled

    def accepted(self, order_id: str, account: str) -> None:
        """``account`` placed ``order_id`` (an id may come back on a later day)."""
        self.accounts[order_id] = account
        if order_id in self.ended:
            del self.ended[order_id]

    def taken(self, trade: TradeExecuted) -> None:
        """A listed trade: its taker's order (never on a book) filled at once."""
        for order_id, account in (
            (trade.buy_order_id, trade.buyer),
            (trade.sell_order_id, trade.seller),
        ):
            if order_id not in self.accounts:
                self.accounts[order_id] = account
                self.ended[order_id] = True

    def end_day(self, books: Iterable[OrderIndex]) -> None:
        """Before the books forget the day: how each of their closed orders ended."""
        for book in books:
            for order_id in book.seen:
                if order_id not in book.open:
                    self.ended[order_id] = order_id not in book.unfilled

    def owner(self, order_id: str) -> str | None:
        """The account that placed ``order_id``, if the exchange accepted it."""
        return self.accounts.get(order_id)

    def snapshot(self) -> dict[str, Any]:
        """The directory as plain values."""
        return {"accounts": dict(sorted(self.accounts.items())), "ended": sorted(self.ended)}


class InstrumentMarket:
    """Everything that trades one instrument, sharing one trade sequence."""

    def __init__(self, config: InstrumentConfig) -> None:
        self.config = config
        self.trades = TradeCounter()
        instrument = config.instrument
        self.continuous = ContinuousBook(
            instrument, config.fee_bps, config.self_trade_prevention, self.trades
        )
        self.listed = ListedAgreementBook(instrument, self.trades)
        self.block = BlockDesk(instrument)
        self.bidding = BiddingDesk(instrument)
        self.statistics = DailyStatistics(config.previous_close)
        # The day the operator opened this instrument for (when the exchange opens
        # instruments one by one), and the last day it closed.
        self.day: date | None = None
        self.last_closed: date | None = None

    @property
    def reference_price(self) -> int:
        """The previous close: the centre of today's price bands (R-T2, R-T3)."""
        return self.statistics.previous_close

    def book(self, mode: TradingMode) -> OrderIndex:
        """The order book of ``mode`` (continuous or listed)."""
        return self.listed if mode is TradingMode.LISTED else self.continuous

    def book_holding(self, order_id: str) -> OrderIndex:
        """The book that knows ``order_id`` today (the continuous one if neither does)."""
        return self.listed if self.listed.knows(order_id) else self.continuous

    def knows_order(self, order_id: str) -> bool:
        """Whether either book has seen ``order_id`` today."""
        return self.listed.knows(order_id) or self.continuous.knows(order_id)

    def snapshot(self) -> dict[str, Any]:
        """The market as plain values."""
        return {
            "continuous": self.continuous.snapshot(),
            "listed": self.listed.snapshot(),
            "block": self.block.snapshot(),
            "bidding": self.bidding.snapshot(),
            "statistics": self.statistics.snapshot(),
            "day": self.day,
            "last_closed": self.last_closed,
            "trades": self.trades.value,
        }

    def needs(self) -> dict[ReservationKey, tuple[str, bool, int, int]]:
        """What every open order, quote, announcement and bid must have reserved:
        key → (account, buys, limit price, remaining quantity)."""
        out: dict[ReservationKey, tuple[str, bool, int, int]] = {}
        name = self.config.instrument
        for mode in (TradingMode.CONTINUOUS, TradingMode.LISTED):
            for o in self.book(mode).open_orders():
                out[(name, mode, o.order_id)] = (o.account, o.is_buy, o.price, o.remaining)
        for nid, n in self.block.open.items():
            buys = n.side_of(n.confirmed_by) is Side.BUY
            out[(name, TradingMode.BLOCK, nid)] = (n.confirmed_by, buys, n.price, n.quantity)
        for a in self.bidding.open_auctions():
            out[(name, TradingMode.BIDDING, a.auction_id)] = (
                a.initiator, a.side is Side.BUY, a.reserve_price, a.quantity,
            )  # fmt: skip
            for b in a.bids.values():
                buys = a.side is Side.SELL
                out[(name, TradingMode.BIDDING, b.bid_id)] = (b.account, buys, b.price, b.quantity)
        return out


class ExchangeState(ABC):
    """The state of the matching engine for a set of instruments, one risk ledger and one
    calendar.

    ``listing``: how an instrument named for the first time is listed. With it, the exchange
    lists instruments at run time and the operator opens and closes each instrument's day
    (``OpenInstrumentDay``): an instrument trades only once opened (the service). Without it,
    the instruments are fixed and the exchange's day opens them all (the engine on its own,
    the golden day).
    """

    def __init__(
        self,
        instruments: Iterable[InstrumentConfig],
        calendar: TradingCalendar | None = None,
        listing: Callable[[str], InstrumentConfig] | None = None,
    ) -> None:
        self.calendar = calendar if calendar is not None else TradingCalendar()
        self.listing = listing
        self.days_by_instrument = listing is not None
        self.markets = {c.instrument: InstrumentMarket(c) for c in instruments}
        self.ledger = RiskLedger()
        self.orders = OrderDirectory()
        # Accounts whose participant the registry restricted (R-A5) → that participant.
        self.restricted: dict[str, str] = {}
        self.day: date | None = None  # the open trading day, if any
        self.last_closed: date | None = None  # days only move forward
        # Set once the command being decided has begun to change the state (an event is
        # being applied, or the continuous book is matching in place).
        self.changing = False

    @abstractmethod
    def record(self, events: Iterable[Event], applied: bool = False) -> None:
        """Emit ``events`` and apply each to the state. ``applied`` marks continuous-book
        events the book has applied itself while matching."""

    def reservation_for(
        self, market: InstrumentMarket, account: str, buys: bool, price: int, quantity: int
    ) -> Reservation:
        """The reservation an order of ``account`` needs under the market's fee."""
        instrument, fee_bps = market.config.instrument, market.config.fee_bps
        return Reservation(account, instrument, buys, price, quantity, fee_bps)

    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain values: equal for a live and a replayed exchange."""
        return {
            "day": self.day,
            "last_closed": self.last_closed,
            "ledger": self.ledger.snapshot(),
            "orders": self.orders.snapshot(),
            "restricted": dict(sorted(self.restricted.items())),
            "markets": {name: m.snapshot() for name, m in sorted(self.markets.items())},
        }

    def validate_internal_state(self) -> None:
        """Every book, desk and the ledger are consistent, and the reservations are exactly
        what the open orders, quotes, announcements and bids need (R-T5)."""
        self.ledger.validate_internal_state()
        needs: dict[ReservationKey, tuple[str, bool, int, int]] = {}
        for market in self.markets.values():
            market.continuous.validate_internal_state()
            market.listed.validate_internal_state()
            needs.update(market.needs())
        held = {
            key: (r.account, r.is_buy, r.price, r.remaining)
            for key, r in self.ledger.reservations.items()
        }
        check(held == needs, f"reservations {held} differ from needs {needs}")
