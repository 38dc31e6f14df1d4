"""Decisions on the risk ledger: funds and allowances in and out of trading (R-T5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cqx_matching.domain.commands import (
    AssignAllowances,
    DepositFunds,
    WithdrawAllowances,
    WithdrawFunds,
)
from cqx_matching.domain.events import (
    AllowancesAssigned,
    AllowancesWithdrawn,
    CommandRejected,
    FundsDeposited,
    FundsWithdrawn,
)
from cqx_matching.domain.vocabulary import Reason

if TYPE_CHECKING:
    from cqx_matching.domain.exchange import Exchange

LedgerCommand = DepositFunds | WithdrawFunds | AssignAllowances | WithdrawAllowances


def _reject(ex: Exchange, c: LedgerCommand, reason: str) -> None:
    instrument = getattr(c, "instrument", None)
    name = type(c).__name__
    ex.record([CommandRejected(instrument, name, c.account, c.account, reason, c.at)])


def deposit_funds(ex: Exchange, c: DepositFunds) -> None:
    """Cash into trading."""
    if c.amount <= 0:
        return _reject(ex, c, Reason.AMOUNT_NOT_POSITIVE)
    ex.record([FundsDeposited(c.account, c.amount, c.at)])


def withdraw_funds(ex: Exchange, c: WithdrawFunds) -> None:
    """Free cash out of trading; reserved cash stays (R-T5)."""
    if c.amount <= 0:
        return _reject(ex, c, Reason.AMOUNT_NOT_POSITIVE)
    if c.amount > ex.ledger.free_cash(c.account):
        return _reject(ex, c, Reason.INSUFFICIENT_FUNDS)
    ex.record([FundsWithdrawn(c.account, c.amount, c.at)])


def assign_allowances(ex: Exchange, c: AssignAllowances) -> None:
    """Allowances from the registry position into the trading position."""
    if c.instrument not in ex.markets:
        return _reject(ex, c, Reason.UNKNOWN_INSTRUMENT)
    if c.quantity <= 0:
        return _reject(ex, c, Reason.QUANTITY_NOT_POSITIVE)
    ex.record([AllowancesAssigned(c.account, c.instrument, c.quantity, c.at)])


def withdraw_allowances(ex: Exchange, c: WithdrawAllowances) -> None:
    """Free, sellable allowances back to the registry; reserved and pending ones stay."""
    if c.instrument not in ex.markets:
        return _reject(ex, c, Reason.UNKNOWN_INSTRUMENT)
    if c.quantity <= 0:
        return _reject(ex, c, Reason.QUANTITY_NOT_POSITIVE)
    if c.quantity > ex.ledger.free_allowances(c.account, c.instrument):
        return _reject(ex, c, Reason.INSUFFICIENT_ALLOWANCES)
    ex.record([AllowancesWithdrawn(c.account, c.instrument, c.quantity, c.at)])
