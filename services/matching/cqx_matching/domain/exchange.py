"""The exchange: every instrument's books and desks, the risk ledger and the trading day.

``Exchange.apply(command)`` decides and returns the events (a rejection is an event, never an
exception); each event is applied to the state as it is recorded. ``Exchange.replay`` folds
the same events into a fresh exchange and must arrive at the same state — the continuous
book is the one part that applies its own commands in place (the hot path), so its events
are the one kind replay applies differently; tests compare the two.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from cqx_matching.domain.bidding import BiddingDesk
from cqx_matching.domain.block import BlockDesk
from cqx_matching.domain.calendar import TradingCalendar
from cqx_matching.domain.commands import Command
from cqx_matching.domain.continuous import ContinuousBook
from cqx_matching.domain.decisions import DECIDERS, rejection
from cqx_matching.domain.errors import UnknownCommandError, check
from cqx_matching.domain.events import Event
from cqx_matching.domain.evolution import evolve
from cqx_matching.domain.instruments import InstrumentConfig
from cqx_matching.domain.listed import ListedAgreementBook
from cqx_matching.domain.order_index import OrderIndex, TradeCounter
from cqx_matching.domain.risk import Reservation, ReservationKey, RiskLedger
from cqx_matching.domain.statistics import DailyStatistics
from cqx_matching.domain.vocabulary import Side, TradingMode


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


class Exchange:
    """The matching engine for a set of instruments, one risk ledger and one calendar."""

    def __init__(
        self, instruments: Iterable[InstrumentConfig], calendar: TradingCalendar | None = None
    ) -> None:
        self.calendar = calendar if calendar is not None else TradingCalendar()
        self.markets = {c.instrument: InstrumentMarket(c) for c in instruments}
        self.ledger = RiskLedger()
        self.day: date | None = None  # the open trading day, if any
        self.last_closed: date | None = None  # days only move forward
        self._recorded: list[Event] = []

    @classmethod
    def replay(
        cls,
        instruments: Iterable[InstrumentConfig],
        events: Iterable[Event],
        calendar: TradingCalendar | None = None,
    ) -> Exchange:
        """A fresh exchange with ``events`` folded in: the state they describe."""
        exchange = cls(instruments, calendar)
        for event in events:
            exchange.evolve(event)
        return exchange

    def apply(self, command: Command) -> list[Event]:
        """Decide ``command`` and return its events, already applied to the state."""
        decide = DECIDERS.get(type(command))
        if decide is None:
            raise UnknownCommandError(f"not an exchange command: {type(command).__name__}")
        recorded: list[Event] = []
        self._recorded = recorded
        reason = decide(self, command)
        if reason is not None:
            self.record([rejection(command, reason)])
        return recorded

    def record(self, events: Iterable[Event], applied: bool = False) -> None:
        """Emit ``events`` and apply each to the state. ``applied`` marks continuous-book
        events the book has applied itself while matching."""
        for event in events:
            evolve(self, event, applied)
            self._recorded.append(event)

    def evolve(self, event: Event) -> None:
        """Apply one event (replay)."""
        evolve(self, event, False)

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
