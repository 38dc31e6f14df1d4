"""Daily statistics per instrument: open, high, low, close, volume, turnover (R-T9)."""

from __future__ import annotations

from datetime import date

from cqx_matching.domain.events import DayClosed, TradeExecuted
from cqx_matching.domain.vocabulary import TradingMode

PRICE_FORMING = frozenset({TradingMode.LISTED, TradingMode.CONTINUOUS})


def volume_weighted_price(turnover: int, volume: int) -> int:
    """``turnover / volume`` in whole fen, rounded half up (a half fen goes up).

    Decision: the close is published in fen like every other price; half up is the usual
    rounding of an exchange's published figures, and an integer formula keeps it exact.
    """
    return (2 * turnover + volume) // (2 * volume)


class DailyStatistics:
    """One instrument's running figures for the trading day.

    Open, high, low and close come from the price-forming trades — the listed agreement and
    the continuous book ("listed trades" in R-T9); block and bidding trades are negotiated
    or auctioned prices and count only in volume and turnover. With no price-forming trade
    all four prices are the previous close.
    """

    __slots__ = (
        "high",
        "listed_turnover",
        "listed_volume",
        "low",
        "open",
        "previous_close",
        "trades",
        "turnover",
        "volume",
    )

    def __init__(self, previous_close: int) -> None:
        self.previous_close = previous_close
        self.open: int | None = None
        self.high: int | None = None
        self.low: int | None = None
        self.volume = 0
        self.turnover = 0  # Σ price × quantity, fen
        self.listed_volume = 0
        self.listed_turnover = 0
        self.trades = 0

    def record(self, trade: TradeExecuted) -> None:
        """Count one trade."""
        price, quantity = trade.price, trade.quantity
        self.trades += 1
        self.volume += quantity
        self.turnover += price * quantity
        if trade.mode not in PRICE_FORMING:
            return
        self.listed_volume += quantity
        self.listed_turnover += price * quantity
        if self.open is None:
            self.open = price
        self.high = price if self.high is None else max(self.high, price)
        self.low = price if self.low is None else min(self.low, price)

    def close(self) -> int:
        """The VWAP of the day's price-forming trades, else the previous close (R-T9)."""
        if not self.listed_volume:
            return self.previous_close
        return volume_weighted_price(self.listed_turnover, self.listed_volume)

    def summary(self, instrument: str, day: date, at: int) -> DayClosed:
        """The day's figures as the event that closes it."""
        reference = self.previous_close
        return DayClosed(
            instrument=instrument,
            day=day,
            open=reference if self.open is None else self.open,
            high=reference if self.high is None else self.high,
            low=reference if self.low is None else self.low,
            close=self.close(),
            volume=self.volume,
            turnover=self.turnover,
            listed_volume=self.listed_volume,
            listed_turnover=self.listed_turnover,
            trades=self.trades,
            at=at,
        )

    def snapshot(self) -> tuple[int | None, ...]:
        """The figures as plain values."""
        return (
            self.previous_close,
            self.open,
            self.high,
            self.low,
            self.volume,
            self.turnover,
            self.listed_volume,
            self.listed_turnover,
            self.trades,
        )
