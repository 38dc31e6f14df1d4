"""What the exchange answers, as plain values: prices in fen per tonne, quantities in tonnes,
money in fen, times in microseconds since the Unix epoch (UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from cqx.matching.v1 import events_pb2 as matching_events
from cqx.matching.v1 import matching_service_pb2 as api

from cqx_sdk.enums import from_proto, to_proto, word


class Side(Enum):
    """Buy or sell."""

    BUY = "buy"
    SELL = "sell"
    UNSPECIFIED = "unspecified"

    def to_proto(self) -> matching_events.Side.ValueType:
        """The proto value."""
        value: matching_events.Side.ValueType = to_proto(self, matching_events.Side, "SIDE_")
        return value

    @classmethod
    def from_proto(cls, value: int) -> Side:
        """From the proto value."""
        return from_proto(cls, matching_events.Side, "SIDE_", value)


class TradingMode(Enum):
    """Which book or desk: the continuous book, listed agreement, block, one-way bidding."""

    CONTINUOUS = "continuous"
    LISTED = "listed"
    BLOCK = "block"
    BIDDING = "bidding"
    UNSPECIFIED = "unspecified"

    def to_proto(self) -> matching_events.TradingMode.ValueType:
        """The proto value."""
        value: matching_events.TradingMode.ValueType = to_proto(
            self, matching_events.TradingMode, "TRADING_MODE_"
        )
        return value

    @classmethod
    def from_proto(cls, value: int) -> TradingMode:
        """From the proto value."""
        return from_proto(cls, matching_events.TradingMode, "TRADING_MODE_", value)


class OrderType(Enum):
    """A limit order, or market-to-limit (takes the best opposite price as its limit)."""

    LIMIT = "limit"
    MARKET_TO_LIMIT = "market-to-limit"

    def to_proto(self) -> matching_events.OrderType.ValueType:
        """The proto value."""
        value: matching_events.OrderType.ValueType = to_proto(
            self, matching_events.OrderType, "ORDER_TYPE_"
        )
        return value


class TimeInForce(Enum):
    """Day (rests until the close), immediate-or-cancel, fill-or-kill."""

    DAY = "day"
    IOC = "ioc"
    FOK = "fok"

    def to_proto(self) -> matching_events.TimeInForce.ValueType:
        """The proto value."""
        value: matching_events.TimeInForce.ValueType = to_proto(
            self, matching_events.TimeInForce, "TIME_IN_FORCE_"
        )
        return value


@dataclass(frozen=True, slots=True)
class Order:
    """An order and where it stands (``status``: open, partially-filled, filled, cancelled,
    expired; ``close_reason`` says why a cancelled order closed, ``cancelled_tonnes`` how
    much of it left the book unfilled then)."""

    order_id: str
    account_id: str
    instrument: str
    side: Side
    trading_mode: TradingMode
    order_type: str
    time_in_force: str
    post_only: bool
    price_fen: int
    quantity_tonnes: int
    filled_tonnes: int
    remaining_tonnes: int
    status: str
    close_reason: str
    traded_value_fen: int
    trading_date: str
    accepted_at_us: int
    cancelled_tonnes: int = 0

    @classmethod
    def from_proto(cls, m: api.Order) -> Order:
        """From its message."""
        return cls(
            m.order_id,
            m.account_id,
            m.instrument,
            Side.from_proto(m.side),
            TradingMode.from_proto(m.trading_mode),
            word(matching_events.OrderType, "ORDER_TYPE_", m.order_type),
            word(matching_events.TimeInForce, "TIME_IN_FORCE_", m.time_in_force),
            m.post_only,
            m.price_fen,
            m.quantity_tonnes,
            m.filled_tonnes,
            m.remaining_tonnes,
            word(api.OrderStatus, "ORDER_STATUS_", m.status),
            m.close_reason,
            m.traded_value_fen,
            m.trading_date,
            m.accepted_at_us,
            m.cancelled_tonnes,
        )


@dataclass(frozen=True, slots=True)
class Fill:
    """One fill of an order, from that order's side."""

    trade_id: str
    price_fen: int
    quantity_tonnes: int
    fee_fen: int


@dataclass(frozen=True, slots=True)
class OrderResult:
    """An order after a request, and what it traded on arrival."""

    order: Order
    fills: tuple[Fill, ...]

    @classmethod
    def from_proto(cls, order: api.Order, fills: list[api.Fill]) -> OrderResult:
        """From the response's parts."""
        done = tuple(Fill(f.trade_id, f.price_fen, f.quantity_tonnes, f.fee_fen) for f in fills)
        return cls(Order.from_proto(order), done)


@dataclass(frozen=True, slots=True)
class Trade:
    """A trade with both parties."""

    trade_id: str
    instrument: str
    trading_mode: TradingMode
    price_fen: int
    quantity_tonnes: int
    buyer_account_id: str
    seller_account_id: str
    buy_order_id: str
    sell_order_id: str
    aggressor: Side
    buyer_fee_fen: int
    seller_fee_fen: int
    trading_date: str
    executed_at_us: int

    @classmethod
    def from_proto(cls, m: api.Trade) -> Trade:
        """From its message."""
        return cls(
            m.trade_id,
            m.instrument,
            TradingMode.from_proto(m.trading_mode),
            m.price_fen,
            m.quantity_tonnes,
            m.buyer_account_id,
            m.seller_account_id,
            m.buy_order_id,
            m.sell_order_id,
            Side.from_proto(m.aggressor),
            m.buyer_fee_fen,
            m.seller_fee_fen,
            m.trading_date,
            m.executed_at_us,
        )


@dataclass(frozen=True, slots=True)
class PriceBand:
    """The prices an order may carry, both ends inclusive."""

    lower_fen: int
    upper_fen: int

    @classmethod
    def from_proto(cls, m: api.PriceBand) -> PriceBand:
        """From its message."""
        return cls(m.lower_fen, m.upper_fen)


@dataclass(frozen=True, slots=True)
class PriceLevel:
    """One price level of the depth."""

    price_fen: int
    quantity_tonnes: int
    order_count: int


@dataclass(frozen=True, slots=True)
class BookDepth:
    """One book's best levels, best first on each side."""

    trading_mode: TradingMode
    bids: tuple[PriceLevel, ...]
    asks: tuple[PriceLevel, ...]

    @classmethod
    def from_proto(cls, m: api.BookDepth) -> BookDepth:
        """From its message."""

        def levels(side: list[api.PriceLevel]) -> tuple[PriceLevel, ...]:
            return tuple(PriceLevel(p.price_fen, p.quantity_tonnes, p.order_count) for p in side)

        return cls(
            TradingMode.from_proto(m.trading_mode), levels(list(m.bids)), levels(list(m.asks))
        )


@dataclass(frozen=True, slots=True)
class Listing:
    """A listed-agreement listing a taker may name."""

    order_id: str
    side: Side
    price_fen: int
    quantity_tonnes: int


@dataclass(frozen=True, slots=True)
class OrderBook:
    """An instrument's book (``listings`` for the listed book)."""

    instrument: str
    book: BookDepth
    listings: tuple[Listing, ...]


@dataclass(frozen=True, slots=True)
class DailyStatistics:
    """The day's figures so far (``final`` once closed); the close is the VWAP of the day's
    listed trades, else the previous close (R-T9). open/high/low are 0 before a trade."""

    trading_date: str
    open_fen: int
    high_fen: int
    low_fen: int
    close_fen: int
    volume_tonnes: int
    turnover_fen: int
    final: bool

    @classmethod
    def from_proto(cls, m: api.DailyStatistics) -> DailyStatistics:
        """From its message."""
        return cls(
            m.trading_date,
            m.open_fen,
            m.high_fen,
            m.low_fen,
            m.close_fen,
            m.volume_tonnes,
            m.turnover_fen,
            m.final,
        )
