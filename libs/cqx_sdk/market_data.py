"""Live market data and executions as they stream from the exchange."""

from __future__ import annotations

from dataclasses import dataclass

from cqx.matching.v1 import matching_service_pb2 as api

from cqx_sdk.matching_views import BookDepth, DailyStatistics, Side, TradingMode


@dataclass(frozen=True, slots=True)
class TradePrint:
    """A trade as the market sees it (no parties)."""

    trade_id: str
    trading_mode: TradingMode
    price_fen: int
    quantity_tonnes: int
    aggressor: Side
    executed_at_us: int

    @classmethod
    def from_proto(cls, m: api.TradePrint) -> TradePrint:
        """From its message."""
        return cls(
            m.trade_id,
            TradingMode.from_proto(m.trading_mode),
            m.price_fen,
            m.quantity_tonnes,
            Side.from_proto(m.aggressor),
            m.executed_at_us,
        )


@dataclass(frozen=True, slots=True)
class MarketSnapshot:
    """Both books' depth and the day so far: what a client resynchronises from."""

    continuous: BookDepth
    listed: BookDepth
    statistics: DailyStatistics


@dataclass(frozen=True, slots=True)
class MarketDataUpdate:
    """One message of an instrument's market data; ``kind`` says which field is set
    (``snapshot``, ``depth``, ``trade`` or ``statistics``). ``sequence`` numbers follow each
    other without gaps: a gap means something was missed (subscribe again)."""

    instrument: str
    sequence: int
    kind: str
    snapshot: MarketSnapshot | None = None
    depth: BookDepth | None = None
    trade: TradePrint | None = None
    statistics: DailyStatistics | None = None

    @classmethod
    def from_proto(cls, m: api.MarketDataUpdate) -> MarketDataUpdate:
        """From its message."""
        kind = m.WhichOneof("body") or ""
        update = cls(m.instrument, m.sequence, kind)
        if kind == "snapshot":
            s = m.snapshot
            snapshot = MarketSnapshot(
                BookDepth.from_proto(s.continuous),
                BookDepth.from_proto(s.listed),
                DailyStatistics.from_proto(s.statistics),
            )
            return cls(m.instrument, m.sequence, kind, snapshot=snapshot)
        if kind == "depth":
            return cls(m.instrument, m.sequence, kind, depth=BookDepth.from_proto(m.depth))
        if kind == "trade":
            return cls(m.instrument, m.sequence, kind, trade=TradePrint.from_proto(m.trade))
        if kind == "statistics":
            stats = DailyStatistics.from_proto(m.statistics)
            return cls(m.instrument, m.sequence, kind, statistics=stats)
        return update


@dataclass(frozen=True, slots=True)
class Execution:
    """One fill of one of an account's orders."""

    trade_id: str
    order_id: str
    account_id: str
    instrument: str
    side: Side
    trading_mode: TradingMode
    price_fen: int
    quantity_tonnes: int
    fee_fen: int
    trading_date: str
    executed_at_us: int

    @classmethod
    def from_proto(cls, m: api.Execution) -> Execution:
        """From its message."""
        return cls(
            m.trade_id,
            m.order_id,
            m.account_id,
            m.instrument,
            Side.from_proto(m.side),
            TradingMode.from_proto(m.trading_mode),
            m.price_fen,
            m.quantity_tonnes,
            m.fee_fen,
            m.trading_date,
            m.executed_at_us,
        )
