"""What clients may read from the ledger: balances, withdrawals, settlements, days, paging."""

from __future__ import annotations

from dataclasses import dataclass

from cqx_service.paging import offset_page
from cqx_settlement.domain.errors import (
    CashAccountNotFoundError,
    InvalidSettlementRequestError,
    WithdrawalNotFoundError,
)
from cqx_settlement.domain.ledger import (
    CashAccount,
    ClearingLedger,
    Settlement,
    SettlementDay,
    Withdrawal,
)
from cqx_settlement.domain.validation import require_account_id, require_trading_date


@dataclass(frozen=True)
class Page:
    """One page of settlements and the token of the next (empty on the last page)."""

    settlements: list[Settlement]
    next_page_token: str


@dataclass(frozen=True)
class Conservation:
    """Σ balances against Σ deposits − Σ completed withdrawals."""

    total_balances: int
    deposited: int
    withdrawn: int

    @property
    def holds(self) -> bool:
        """Whether no fen appeared or vanished."""
        return self.total_balances == self.deposited - self.withdrawn


def cash_account(ledger: ClearingLedger, account_id: str) -> CashAccount:
    """The account's cash; NOT_FOUND if no cash ever reached it."""
    require_account_id(account_id)
    found = ledger.accounts.get(account_id)
    if found is None:
        raise CashAccountNotFoundError(
            f"no cash was ever deposited for account {account_id}",
            metadata={"account_id": account_id},
        )
    return found


def withdrawal(ledger: ClearingLedger, withdrawal_id: str) -> Withdrawal:
    """A withdrawal by id; NOT_FOUND if there is none."""
    if not withdrawal_id:
        raise InvalidSettlementRequestError(
            "withdrawal_id is required", reason="WITHDRAWAL_ID_MISSING"
        )
    found = ledger.withdrawals.get(withdrawal_id)
    if found is None:
        raise WithdrawalNotFoundError(
            f"no withdrawal {withdrawal_id}", metadata={"withdrawal_id": withdrawal_id}
        )
    return found


def settlement(ledger: ClearingLedger, trade_id: str) -> Settlement | None:
    """How a trade settled, or None if no such trade reached the clearing house."""
    if not trade_id:
        raise InvalidSettlementRequestError("trade_id is required", reason="TRADE_ID_MISSING")
    return ledger.settlements.get(trade_id)


def settlement_day(ledger: ClearingLedger, trading_date: str) -> SettlementDay:
    """The day as it stands (an untouched date is an open, empty day)."""
    require_trading_date(trading_date)
    return ledger.days.get(trading_date) or SettlementDay(trading_date)


def settlements_page(
    ledger: ClearingLedger, trading_date: str, page_size: int, page_token: str
) -> Page:
    """Settlements in the order they were settled, optionally of one date, a page at a time."""
    if trading_date:
        require_trading_date(trading_date)
        day = ledger.days.get(trading_date)
        ids = day.trade_ids if day is not None else []
    else:
        ids = ledger.settlement_order
    chosen, next_token = offset_page(len(ids), page_size, page_token)
    return Page([ledger.settlements[t] for t in ids[chosen]], next_token)


def conservation(ledger: ClearingLedger) -> Conservation:
    """The conservation check of the whole cash ledger."""
    return Conservation(ledger.total_balances(), ledger.deposited, ledger.withdrawn)
