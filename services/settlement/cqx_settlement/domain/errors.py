"""Why the clearing house refuses a request: one root, each error of a kernel kind."""

from __future__ import annotations

from cqx_kernel.errors import (
    CqxError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)


class SettlementError(CqxError):
    """Root of the settlement service's errors."""

    default_reason = "SETTLEMENT_ERROR"


class InvalidSettlementRequestError(SettlementError, InvalidArgumentError):
    """The request is malformed (a missing id, a non-positive amount, a bad date)."""

    default_reason = "INVALID_ARGUMENT"


class CashAccountNotFoundError(SettlementError, NotFoundError):
    """No cash ever reached this account in the clearing ledger."""

    default_reason = "CASH_ACCOUNT_NOT_FOUND"


class WithdrawalNotFoundError(SettlementError, NotFoundError):
    """No withdrawal has this id."""

    default_reason = "WITHDRAWAL_NOT_FOUND"


class InsufficientFundsError(SettlementError, FailedPreconditionError):
    """The amount exceeds the balance less what pending withdrawals hold."""

    default_reason = "INSUFFICIENT_FUNDS"


class FeeAccountError(SettlementError, FailedPreconditionError):
    """The exchange's fee account takes no deposits or withdrawals through the cash RPCs."""

    default_reason = "FEE_ACCOUNT_NOT_A_TRADING_ACCOUNT"


class BalanceLimitError(SettlementError, FailedPreconditionError):
    """The balance would no longer fit a signed 64-bit number of fen."""

    default_reason = "BALANCE_LIMIT_EXCEEDED"


class TradingDayNotClosedError(SettlementError, FailedPreconditionError):
    """The exchange has not reported the day closed (for every instrument that traded)."""

    default_reason = "TRADING_DAY_NOT_CLOSED"


class DeliveriesPendingError(SettlementError, FailedPreconditionError):
    """The registry has not yet answered for every settled trade of the day's allowance leg."""

    default_reason = "DELIVERIES_PENDING"


class SettlementDayAlreadyClosedError(SettlementError, FailedPreconditionError):
    """The settlement day is closed already."""

    default_reason = "SETTLEMENT_DAY_ALREADY_CLOSED"


class ReconciliationBreakError(SettlementError, FailedPreconditionError):
    """The day does not reconcile; the breaks are recorded and block the close (R-S2)."""

    default_reason = "RECONCILIATION_BREAK"
