"""The exchange's trading days, instruments and risk ledger, as plain values."""

from __future__ import annotations

from dataclasses import dataclass

from cqx.matching.v1 import matching_service_pb2 as api

from cqx_sdk.enums import word
from cqx_sdk.matching_views import DailyStatistics, PriceBand, TradingMode


@dataclass(frozen=True, slots=True)
class TradingDay:
    """An instrument's opened trading day and its bands (R-T2 listed, R-T3 block)."""

    instrument: str
    trading_date: str
    previous_close_fen: int
    listed_band: PriceBand
    block_band: PriceBand

    @classmethod
    def from_proto(cls, m: api.OpenTradingDayResponse) -> TradingDay:
        """From the response."""
        return cls(
            m.instrument,
            m.trading_date,
            m.previous_close_fen,
            PriceBand.from_proto(m.listed_band),
            PriceBand.from_proto(m.block_band),
        )


@dataclass(frozen=True, slots=True)
class DayClose:
    """A closed trading day: its statistics (close = VWAP, R-T9), the orders that expired,
    and whether it was the exchange's last open instrument (purchases matured, R-T6)."""

    instrument: str
    statistics: DailyStatistics
    orders_expired: int
    exchange_day_closed: bool


@dataclass(frozen=True, slots=True)
class InstrumentStatus:
    """An instrument at the exchange: ``day_status`` ``open``, ``closed`` (its last day closed:
    ``statistics`` are that day's final figures) or ``not-open``, its bands, fee and tick, its
    modes and the day so far."""

    instrument: str
    day_status: str
    trading_date: str
    reference_price_fen: int
    listed_band: PriceBand
    block_band: PriceBand
    fee_bps: int
    tick_fen: int
    modes: tuple[TradingMode, ...]
    statistics: DailyStatistics

    @property
    def is_open(self) -> bool:
        """Whether the instrument trades now."""
        return self.day_status == "open"

    @classmethod
    def from_proto(cls, m: api.GetInstrumentResponse) -> InstrumentStatus:
        """From the response."""
        return cls(
            m.instrument,
            word(api.DayStatus, "DAY_STATUS_", m.day_status),
            m.trading_date,
            m.reference_price_fen,
            PriceBand.from_proto(m.listed_band),
            PriceBand.from_proto(m.block_band),
            m.fee_bps,
            m.tick_fen,
            tuple(TradingMode.from_proto(mode) for mode in m.modes),
            DailyStatistics.from_proto(m.statistics),
        )


@dataclass(frozen=True, slots=True)
class AllowanceBalance:
    """What an account may sell of one instrument: free, reserved by open orders, and bought
    today (sellable from the next trading day, R-T6)."""

    instrument: str
    free_tonnes: int
    reserved_tonnes: int
    pending_tonnes: int


@dataclass(frozen=True, slots=True)
class RiskBalance:
    """What an account may spend and sell at the exchange (R-T5)."""

    account_id: str
    free_cash_fen: int
    reserved_cash_fen: int
    allowances: tuple[AllowanceBalance, ...]

    def of(self, instrument: str) -> AllowanceBalance:
        """The balance of ``instrument`` (all zero if none)."""
        found = (a for a in self.allowances if a.instrument == instrument)
        return next(found, AllowanceBalance(instrument, 0, 0, 0))

    @classmethod
    def from_proto(cls, m: api.GetRiskBalanceResponse) -> RiskBalance:
        """From the response."""
        held = tuple(
            AllowanceBalance(a.instrument, a.free_tonnes, a.reserved_tonnes, a.pending_tonnes)
            for a in m.allowances
        )
        return cls(m.account_id, m.free_cash_fen, m.reserved_cash_fen, held)
