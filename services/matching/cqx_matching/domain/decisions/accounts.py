"""Decisions on the risk ledger: funds and allowances in and out of trading (R-T5)."""

from __future__ import annotations

from cqx_matching.domain.commands import (
    AssignAllowances,
    DepositFunds,
    WithdrawAllowances,
    WithdrawFunds,
)
from cqx_matching.domain.events import (
    AllowancesAssigned,
    AllowancesWithdrawn,
    FundsDeposited,
    FundsWithdrawn,
)
from cqx_matching.domain.instruments import is_instrument
from cqx_matching.domain.listing_events import InstrumentListed
from cqx_matching.domain.refusals import short_of_allowances, short_of_funds
from cqx_matching.domain.state import ExchangeState
from cqx_matching.domain.vocabulary import Reason

LedgerCommand = DepositFunds | WithdrawFunds | AssignAllowances | WithdrawAllowances


def deposit_funds(ex: ExchangeState, c: DepositFunds) -> str | None:
    """Cash into trading."""
    if c.amount <= 0:
        return Reason.AMOUNT_NOT_POSITIVE
    ex.record([FundsDeposited(c.account, c.amount, c.at)])
    return None


def withdraw_funds(ex: ExchangeState, c: WithdrawFunds) -> str | None:
    """Free cash out of trading; reserved cash stays (R-T5)."""
    if c.amount <= 0:
        return Reason.AMOUNT_NOT_POSITIVE
    free = ex.ledger.free_cash(c.account)
    if c.amount > free:
        return short_of_funds(c.account, c.amount, free)
    ex.record([FundsWithdrawn(c.account, c.amount, c.at)])
    return None


def assign_allowances(ex: ExchangeState, c: AssignAllowances) -> str | None:
    """Allowances from the registry position into the trading position. Where instruments are
    listed at run time, allowances of an instrument not yet listed list it (R-U3 codes only)."""
    if c.instrument not in ex.markets:
        if ex.listing is None:
            return Reason.UNKNOWN_INSTRUMENT
        if not is_instrument(c.instrument):
            return Reason.INSTRUMENT_INVALID
        ex.record([InstrumentListed(ex.listing(c.instrument), c.at)])
    if c.quantity <= 0:
        return Reason.QUANTITY_NOT_POSITIVE
    ex.record([AllowancesAssigned(c.account, c.instrument, c.quantity, c.at)])
    return None


def withdraw_allowances(ex: ExchangeState, c: WithdrawAllowances) -> str | None:
    """Free, sellable allowances back to the registry; reserved and pending ones stay."""
    if c.instrument not in ex.markets:
        return Reason.UNKNOWN_INSTRUMENT
    if c.quantity <= 0:
        return Reason.QUANTITY_NOT_POSITIVE
    free = ex.ledger.free_allowances(c.account, c.instrument)
    if c.quantity > free:
        return short_of_allowances(c.account, c.instrument, c.quantity, free)
    ex.record([AllowancesWithdrawn(c.account, c.instrument, c.quantity, c.at)])
    return None
