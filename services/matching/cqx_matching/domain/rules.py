"""The checks every mode shares: the market is open, the price and quantity obey the
instrument's rules, and the account can cover what it commits (R-T1..R-T5)."""

from __future__ import annotations

from cqx_matching.domain.instruments import InstrumentConfig, buy_requirement
from cqx_matching.domain.refusals import (
    off_tick,
    outside_band,
    short_of_allowances,
    short_of_funds,
    too_large,
    too_small,
    unknown_account,
)
from cqx_matching.domain.risk import Reservation
from cqx_matching.domain.state import ExchangeState, InstrumentMarket
from cqx_matching.domain.vocabulary import Reason, TradingMode


def open_market(
    ex: ExchangeState, instrument: str, mode: TradingMode, at: int, session: bool = True
) -> InstrumentMarket | str:
    """The instrument's market if ``mode`` is enabled and open at ``at``, else the reason.

    With ``session`` False only the trading day must be open: cancelling, reducing and
    withdrawing are allowed between sessions (in the lunch break) as well.
    """
    market = ex.markets.get(instrument)
    if market is None:
        return Reason.UNKNOWN_INSTRUMENT
    if mode not in market.config.modes:
        return Reason.MODE_NOT_ENABLED
    if ex.day is None:
        return Reason.DAY_NOT_OPEN
    calendar = ex.calendar
    if calendar.day_of(at) != ex.day:
        return Reason.SESSION_CLOSED
    if session and not calendar.is_open(mode, at):
        return Reason.SESSION_CLOSED
    return market


def price_problem(
    config: InstrumentConfig, mode: TradingMode, reference: int, price: int
) -> str | None:
    """Why ``price`` is not allowed in ``mode`` around the previous close, if it is not."""
    if price <= 0:
        return Reason.PRICE_NOT_POSITIVE
    if price % config.tick:
        return off_tick(price, config.tick)
    band = config.band(mode, reference)
    if not band.contains(price):
        return outside_band(mode, band, reference, price)
    return None


def quantity_problem(config: InstrumentConfig, mode: TradingMode, quantity: int) -> str | None:
    """R-T1: listed and continuous orders are positive and under one limit (100,000 t).

    The reason names the book: QUANTITY_TOO_LARGE for a continuous order,
    LISTED_QUANTITY_TOO_LARGE for a listed one (as recorded before continuous orders had
    their own word for it).
    """
    if quantity <= 0:
        return Reason.QUANTITY_NOT_POSITIVE
    limit = config.listed_quantity_limit
    if quantity >= limit:
        reason = Reason.LISTED_QUANTITY_TOO_LARGE if mode is TradingMode.LISTED else None
        return too_large(reason or Reason.QUANTITY_TOO_LARGE, mode, quantity, limit)
    return None


def block_quantity_problem(config: InstrumentConfig, quantity: int) -> str | None:
    """R-T3: a block deal is at least the minimum (100,000 t)."""
    if quantity <= 0:
        return Reason.QUANTITY_NOT_POSITIVE
    if quantity < config.block_quantity_minimum:
        return too_small(quantity, config.block_quantity_minimum)
    return None


def cover_problem(
    ex: ExchangeState,
    market: InstrumentMarket,
    account: str,
    buys: bool,
    price: int,
    quantity: int,
    held: Reservation | None = None,
) -> str | None:
    """R-T5: whether ``account`` can reserve what the commitment needs.

    ``held`` is the reservation the commitment replaces (a replaced order, re-countered
    terms): what it holds counts as available. A refusal names the caller's own free funds
    or allowances, or that the exchange has never had any of the account's.
    """
    ledger, instrument = ex.ledger, market.config.instrument
    mine = held if held is not None and held.account == account else None
    if buys:
        need = buy_requirement(price, quantity, market.config.fee_bps)
        have = ledger.free_cash(account) + (mine.cash if mine else 0)
        if need <= have:
            return None
        if not ledger.knows(account):
            return unknown_account(account)
        return short_of_funds(account, need, have)
    have = ledger.free_allowances(account, instrument) + (mine.allowances() if mine else 0)
    if quantity <= have:
        return None
    if not ledger.knows(account):
        return unknown_account(account)
    return short_of_allowances(account, instrument, quantity, have)
