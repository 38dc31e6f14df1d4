"""What clients may read from the ledger: balances, withdrawals, settlements, days, paging."""

from __future__ import annotations

from dataclasses import dataclass

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

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


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
    size = _page_size(page_size)
    offset = _offset(page_token)
    if trading_date:
        require_trading_date(trading_date)
        day = ledger.days.get(trading_date)
        ids = day.trade_ids if day is not None else []
    else:
        ids = ledger.settlement_order
    chosen = [ledger.settlements[t] for t in ids[offset : offset + size]]
    more = offset + size < len(ids)
    return Page(chosen, str(offset + size) if more else "")


def conservation(ledger: ClearingLedger) -> Conservation:
    """The conservation check of the whole cash ledger."""
    return Conservation(ledger.total_balances(), ledger.deposited, ledger.withdrawn)


def _page_size(page_size: int) -> int:
    if page_size < 0:
        raise InvalidSettlementRequestError(
            "page_size cannot be negative", reason="PAGE_SIZE_NEGATIVE"
        )
    if page_size > MAX_PAGE_SIZE:
        raise InvalidSettlementRequestError(
            f"page_size is at most {MAX_PAGE_SIZE}",
            reason="PAGE_SIZE_TOO_LARGE",
            metadata={"max_page_size": str(MAX_PAGE_SIZE)},
        )
    return page_size or DEFAULT_PAGE_SIZE


def _offset(page_token: str) -> int:
    if not page_token:
        return 0
    if not (page_token.isascii() and page_token.isdigit()) or len(page_token) > 12:
        raise InvalidSettlementRequestError(
            "page_token is not one this service gave", reason="PAGE_TOKEN_INVALID"
        )
    return int(page_token)
