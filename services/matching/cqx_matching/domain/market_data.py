"""Market data: L2 depth, trades and daily statistics, sequenced per instrument.

Every message an instrument publishes carries the next number of that instrument's sequence,
so a client that sees a number skipped knows it missed something and asks for a snapshot,
which carries the number it is current to. Sealed bids and block negotiations are private
and never published; their trades are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from cqx_matching.domain.events import (
    DayClosed,
    Event,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderReduced,
    OrderReplaced,
    TradeExecuted,
)
from cqx_matching.domain.state import ExchangeState
from cqx_matching.domain.vocabulary import Side, TradingMode

BOOK_EVENTS = (OrderAccepted, OrderCancelled, OrderExpired, OrderReduced, OrderReplaced)
BOOK_MODES = (TradingMode.CONTINUOUS, TradingMode.LISTED)


@dataclass(frozen=True, slots=True)
class DepthLevel:
    """One price level of L2 depth."""

    price: int
    quantity: int
    orders: int


@dataclass(frozen=True, slots=True)
class DepthSnapshot:
    """The best levels of one book (continuous or listed), best first on each side."""

    mode: TradingMode
    bids: tuple[DepthLevel, ...]
    asks: tuple[DepthLevel, ...]


@dataclass(frozen=True, slots=True)
class TradePrint:
    """A trade as the market sees it (no parties)."""

    trade_id: int
    mode: TradingMode
    price: int
    quantity: int
    aggressor: Side | None
    at: int


@dataclass(frozen=True, slots=True)
class StatisticsSnapshot:
    """The day's figures so far (``final`` False) or as closed (R-T9)."""

    day: date | None
    open: int | None
    high: int | None
    low: int | None
    close: int
    volume: int
    turnover: int
    final: bool


Payload = DepthSnapshot | TradePrint | StatisticsSnapshot


@dataclass(frozen=True, slots=True)
class MarketDataMessage:
    """One published message: the instrument's sequence number and what it says."""

    instrument: str
    sequence: int
    payload: Payload


class MarketDataFeed:
    """Turns the exchange's events into sequenced messages, per instrument."""

    def __init__(self) -> None:
        self.sequences: dict[str, int] = {}

    def _stamp(self, instrument: str, payload: Payload) -> MarketDataMessage:
        sequence = self.sequences.get(instrument, 0) + 1
        self.sequences[instrument] = sequence
        return MarketDataMessage(instrument, sequence, payload)

    def publish(self, exchange: ExchangeState, events: Iterable[Event]) -> list[MarketDataMessage]:
        """The messages one command's events produce: its trades and final statistics, then
        the new depth of each book it changed and the running statistics if it traded."""
        out: list[MarketDataMessage] = []
        books: dict[tuple[str, TradingMode], None] = {}
        traded: dict[str, None] = {}
        for e in events:
            if isinstance(e, TradeExecuted):
                print_ = TradePrint(e.trade_id, e.mode, e.price, e.quantity, e.aggressor, e.at)
                out.append(self._stamp(e.instrument, print_))
                traded[e.instrument] = None
                if e.mode in BOOK_MODES:
                    books[(e.instrument, e.mode)] = None
            elif isinstance(e, BOOK_EVENTS):
                books[(e.instrument, e.mode)] = None
            elif isinstance(e, DayClosed):
                out.append(self._stamp(e.instrument, final_statistics(e)))
        for instrument, mode in books:
            out.append(self._stamp(instrument, depth(exchange, instrument, mode)))
        for instrument in traded:
            out.append(self._stamp(instrument, running_statistics(exchange, instrument)))
        return out

    def snapshot(self, exchange: ExchangeState, instrument: str) -> tuple[int, list[Payload]]:
        """What a client resynchronises from: the sequence it is current to, both books'
        depth and the running statistics."""
        payloads: list[Payload] = [depth(exchange, instrument, mode) for mode in BOOK_MODES]
        payloads.append(running_statistics(exchange, instrument))
        return self.sequences.get(instrument, 0), payloads


def depth(
    exchange: ExchangeState, instrument: str, mode: TradingMode, levels: int | None = None
) -> DepthSnapshot:
    """L2 depth of one book: ``levels`` levels (the instrument's configured number)."""
    market = exchange.markets[instrument]
    count = market.config.depth_levels if levels is None else levels
    book = market.book(mode)
    bids = tuple(DepthLevel(*row) for row in book.bids.depth(count))
    asks = tuple(DepthLevel(*row) for row in book.asks.depth(count))
    return DepthSnapshot(mode, bids, asks)


def running_statistics(exchange: ExchangeState, instrument: str) -> StatisticsSnapshot:
    """The day's figures so far; ``close`` is the VWAP so far (R-T9)."""
    s = exchange.markets[instrument].statistics
    return StatisticsSnapshot(
        exchange.day, s.open, s.high, s.low, s.close(), s.volume, s.turnover, final=False
    )


def final_statistics(e: DayClosed) -> StatisticsSnapshot:
    """The closed day's figures."""
    return StatisticsSnapshot(e.day, e.open, e.high, e.low, e.close, e.volume, e.turnover, True)


class SequenceTracker:
    """A client's view of the sequences: says when a message shows a gap."""

    def __init__(self) -> None:
        self.current: dict[str, int] = {}

    def resynchronise(self, instrument: str, sequence: int) -> None:
        """A snapshot made the client current to ``sequence``."""
        self.current[instrument] = sequence

    def accept(self, message: MarketDataMessage) -> bool:
        """Take ``message``; False if messages were missed (the client needs a snapshot).
        Messages at or below the current sequence are stale duplicates and ignored."""
        current = self.current.get(message.instrument, 0)
        if message.sequence <= current:
            return True
        if message.sequence != current + 1:
            return False
        self.current[message.instrument] = message.sequence
        return True
