"""Instrument codes (R-U3), per-instrument trading configuration, price bands (R-T2, R-T3)
and fees, in integer fen."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from cqx_matching.domain.vocabulary import (
    BiddingAllocation,
    SelfTradePrevention,
    TradingMode,
)

BPS = 10_000  # basis points in one
COMBINED_VINTAGE = "CEA-2019-2020"
_CEA = re.compile(r"CEA-(20[2-9]\d)")
_CCER = re.compile(r"CCER-[A-Za-z0-9]+-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def is_instrument(code: str) -> bool:
    """CEA-2019-2020, CEA-2021 … CEA-2099, or CCER-<project>-<block> (R-U3)."""
    if code == COMBINED_VINTAGE or _CCER.fullmatch(code):
        return True
    match = _CEA.fullmatch(code)
    return match is not None and int(match.group(1)) >= 2021


@dataclass(frozen=True, slots=True)
class PriceBand:
    """The inclusive range of prices an order may carry, in fen."""

    lower: int
    upper: int

    def contains(self, price: int) -> bool:
        """Whether ``price`` lies inside the band (edges included)."""
        return self.lower <= price <= self.upper


@lru_cache(maxsize=1_024)  # a pure function of three ints, asked on every order
def price_band(reference: int, width_bps: int, tick: int) -> PriceBand:
    """The band of ``width_bps`` around ``reference`` (the previous close), edges on the tick.

    Decision: the lower edge is rounded UP to the tick and the upper edge DOWN, so rounding
    never widens the band beyond the configured percentage (R-T2). With a previous close of
    6,005 fen, ±10% and a 10-fen tick the exact edges 5,404.5 and 6,605.5 become 5,410 and
    6,600. Integer arithmetic only: no price is ever a float.
    """
    lower_exact = reference * (BPS - width_bps)  # in fen × BPS
    upper_exact = reference * (BPS + width_bps)
    step = BPS * tick
    lower = -(-lower_exact // step) * tick  # ceiling division
    upper = upper_exact // step * tick
    return PriceBand(lower=max(lower, tick), upper=upper)


def fee(notional: int, fee_bps: int) -> int:
    """The fee on ``notional`` fen: ``notional × fee_bps / 10,000`` rounded DOWN to the fen.

    Decision: rounding down makes the fee superadditive-safe: the fee reserved for a whole
    order is never less than the sum of the fees of its partial fills, so a reservation always
    covers what its fills cost (R-T5).
    """
    return notional * fee_bps // BPS


def buy_requirement(price: int, quantity: int, fee_bps: int) -> int:
    """The cash a buy of ``quantity`` at ``price`` must have reserved: notional plus fee."""
    notional = price * quantity
    return notional + notional * fee_bps // BPS


ALL_MODES = frozenset(TradingMode)


@dataclass(frozen=True, slots=True)
class InstrumentConfig:
    """How one instrument trades; the operator sets it, the engine reads it.

    ``previous_close`` seeds the first day's bands; afterwards each day's close (R-T9) is
    carried forward by the engine itself. Quantity limits follow R-T1 and R-T3: listed and
    continuous orders must be *under* ``listed_quantity_limit``, block deals *at least*
    ``block_quantity_minimum``.
    """

    instrument: str
    previous_close: int
    tick: int = 1
    modes: frozenset[TradingMode] = field(default=ALL_MODES)
    listed_band_bps: int = 1_000
    block_band_bps: int = 3_000
    bidding_band_bps: int = 3_000
    listed_quantity_limit: int = 100_000
    block_quantity_minimum: int = 100_000
    fee_bps: int = 0
    maker_levels: int = 5  # R-T7: a listed taker may reach the best five price levels
    depth_levels: int = 5  # L2 depth published to market data
    self_trade_prevention: SelfTradePrevention = SelfTradePrevention.CANCEL_NEWEST
    bidding_allocation: BiddingAllocation = BiddingAllocation.PRICE_TIME

    def band(self, mode: TradingMode, reference: int) -> PriceBand:
        """The price band of ``mode`` around ``reference`` (listed and continuous share one)."""
        if mode is TradingMode.BLOCK:
            width = self.block_band_bps
        elif mode is TradingMode.BIDDING:
            width = self.bidding_band_bps
        else:
            width = self.listed_band_bps
        return price_band(reference, width, self.tick)
