"""The live book of ``cqx book``: market data folded into a view, and its text."""

from __future__ import annotations

from dataclasses import dataclass, field

from cqx_sdk.cli.render import table
from cqx_sdk.market_data import MarketDataUpdate, TradePrint
from cqx_sdk.matching_views import BookDepth, DailyStatistics, TradingMode
from cqx_sdk.money import format_amount, format_price

RECENT_TRADES = 10


@dataclass
class BookView:
    """What ``cqx book`` shows of one instrument, kept current by :meth:`apply`."""

    instrument: str
    mode: TradingMode = TradingMode.CONTINUOUS
    depth: BookDepth | None = None
    statistics: DailyStatistics | None = None
    trades: list[TradePrint] = field(default_factory=list)
    sequence: int = 0

    def apply(self, update: MarketDataUpdate) -> bool:
        """Fold one update in; ``False`` if a sequence number was skipped (the view is stale
        until a fresh snapshot)."""
        in_order = update.kind == "snapshot" or update.sequence == self.sequence + 1
        self.sequence = update.sequence
        if update.snapshot is not None:
            snap = update.snapshot
            self.depth = snap.listed if self.mode is TradingMode.LISTED else snap.continuous
            self.statistics = snap.statistics
        elif update.depth is not None and update.depth.trading_mode is self.mode:
            self.depth = update.depth
        elif update.trade is not None:
            self.trades = [update.trade, *self.trades][:RECENT_TRADES]
        elif update.statistics is not None:
            self.statistics = update.statistics
        return in_order

    def text(self) -> str:
        """The depth ladder, the day's figures and the recent trades."""
        lines = [f"{self.instrument} — {self.mode.value} book (sequence {self.sequence})", ""]
        lines.append(depth_table(self.depth))
        if self.statistics is not None:
            lines += ["", statistics_line(self.statistics)]
        if self.trades:
            rows = [
                (t.trade_id, format_price(t.price_fen), f"{t.quantity_tonnes:,}", t.aggressor.value)
                for t in self.trades
            ]
            lines += [
                "",
                "recent trades (newest first):",
                table(("TRADE", "PRICE", "QTY t", "AGGRESSOR"), rows),
            ]
        return "\n".join(lines)


def depth_table(depth: BookDepth | None) -> str:
    """Bids and asks side by side, best first."""
    bids = depth.bids if depth else ()
    asks = depth.asks if depth else ()
    rows = []
    for i in range(max(len(bids), len(asks))):
        bid = bids[i] if i < len(bids) else None
        ask = asks[i] if i < len(asks) else None
        rows.append(
            (
                f"{bid.order_count}" if bid else "",
                f"{bid.quantity_tonnes:,}" if bid else "",
                format_price(bid.price_fen) if bid else "",
                format_price(ask.price_fen) if ask else "",
                f"{ask.quantity_tonnes:,}" if ask else "",
                f"{ask.order_count}" if ask else "",
            )
        )
    headers = ("ORDERS", "BID t", "BID", "ASK", "ASK t", "ORDERS")
    return table(headers, rows, empty="(the book is empty)")


def statistics_line(s: DailyStatistics) -> str:
    """The day's figures in one line (without a date while no day is open)."""
    day = f"{s.trading_date}: " if s.trading_date else ""
    if not s.volume_tonnes:
        return f"{day}no trades yet; reference close {format_price(s.close_fen)}"
    state = "close" if s.final else "VWAP so far"
    return (
        f"{day}open {format_price(s.open_fen)} high {format_price(s.high_fen)} "
        f"low {format_price(s.low_fen)} {state} {format_price(s.close_fen)}; volume "
        f"{s.volume_tonnes:,} t, turnover {format_amount(s.turnover_fen)} CNY"
    )
