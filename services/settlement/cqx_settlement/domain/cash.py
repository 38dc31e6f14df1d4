"""Cash in and out of the clearing account: deposits, withdrawal requests and their answers."""

from __future__ import annotations

from cqx_settlement.domain.commands import (
    CompleteWithdrawal,
    DepositFunds,
    RefuseWithdrawal,
    RequestWithdrawal,
)
from cqx_settlement.domain.errors import (
    BalanceLimitError,
    CashAccountNotFoundError,
    FeeAccountError,
    InsufficientFundsError,
)
from cqx_settlement.domain.events import (
    CashWithdrawalRefused,
    CashWithdrawalRequested,
    CashWithdrawn,
    Event,
    FundsDeposited,
)
from cqx_settlement.domain.ledger import ClearingLedger, WithdrawalStatus
from cqx_settlement.domain.validation import (
    MAX_FEN,
    require_account_id,
    require_positive_amount,
)


def deposit(ledger: ClearingLedger, c: DepositFunds, fee_account_id: str) -> list[Event]:
    """Credit cash to a trading account (not to the fee account)."""
    require_account_id(c.account_id)
    require_positive_amount(c.amount)
    _refuse_fee_account(c.account_id, fee_account_id)
    found = ledger.accounts.get(c.account_id)
    balance = found.balance if found is not None else 0
    if balance > MAX_FEN - c.amount or ledger.deposited > MAX_FEN - c.amount:
        raise BalanceLimitError(
            "the balance would exceed what 64 bits of fen can carry",
            metadata={"account_id": c.account_id},
        )
    return [FundsDeposited(c.deposit_id, c.account_id, c.amount)]


def request_withdrawal(
    ledger: ClearingLedger, c: RequestWithdrawal, fee_account_id: str
) -> list[Event]:
    """Hold the amount for a withdrawal, if the balance less pending withdrawals covers it."""
    require_account_id(c.account_id)
    require_positive_amount(c.amount)
    _refuse_fee_account(c.account_id, fee_account_id)
    account = ledger.accounts.get(c.account_id)
    if account is None:
        raise CashAccountNotFoundError(
            f"no cash was ever deposited for account {c.account_id}",
            metadata={"account_id": c.account_id},
        )
    if c.amount > account.available:
        raise InsufficientFundsError(
            f"{c.amount} fen exceeds the {account.available} fen available",
            metadata={
                "account_id": c.account_id,
                "requested_fen": str(c.amount),
                "available_fen": str(account.available),
            },
        )
    return [CashWithdrawalRequested(c.withdrawal_id, c.account_id, c.amount)]


def complete_withdrawal(ledger: ClearingLedger, c: CompleteWithdrawal) -> list[Event]:
    """Pay out a pending withdrawal the exchange approved; a stale answer changes nothing."""
    withdrawal = ledger.withdrawals.get(c.withdrawal_id)
    if withdrawal is None or withdrawal.status is not WithdrawalStatus.PENDING:
        return []
    if withdrawal.account_id != c.account_id:
        return []
    refuse = _refusal_reason(ledger, withdrawal.account_id, withdrawal.amount, c.amount)
    if refuse is not None:
        return [CashWithdrawalRefused(c.withdrawal_id, c.account_id, withdrawal.amount, refuse)]
    return [CashWithdrawn(c.withdrawal_id, c.account_id, withdrawal.amount)]


def refuse_withdrawal(ledger: ClearingLedger, c: RefuseWithdrawal) -> list[Event]:
    """Release a pending withdrawal the exchange refused; a stale answer changes nothing."""
    withdrawal = ledger.withdrawals.get(c.withdrawal_id)
    if withdrawal is None or withdrawal.status is not WithdrawalStatus.PENDING:
        return []
    if withdrawal.account_id != c.account_id:
        return []
    reason = c.reason or "REFUSED_BY_EXCHANGE"
    return [CashWithdrawalRefused(c.withdrawal_id, c.account_id, withdrawal.amount, reason)]


def _refusal_reason(
    ledger: ClearingLedger, account_id: str, requested: int, approved: int
) -> str | None:
    """Why an approved withdrawal still cannot be paid here (a break the log must show)."""
    if approved != requested:
        return "APPROVED_AMOUNT_MISMATCH"
    if ledger.accounts[account_id].balance < requested:
        return "INSUFFICIENT_FUNDS"
    return None


def _refuse_fee_account(account_id: str, fee_account_id: str) -> None:
    if account_id == fee_account_id:
        raise FeeAccountError(
            f"{account_id} is the exchange's fee account, not a trading account",
            metadata={"account_id": account_id},
        )
