"""Well-formedness of what comes in: account ids, amounts in fen, trading dates."""

from __future__ import annotations

import re
from datetime import date

from cqx_settlement.domain.errors import InvalidSettlementRequestError

MAX_FEN = 2**63 - 1  # what a signed 64-bit field carries
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def account_id_problem(account_id: str) -> str | None:
    """The reason ``account_id`` is not a valid account id, or None."""
    if not account_id:
        return "ACCOUNT_ID_MISSING"
    if not _ACCOUNT_ID.fullmatch(account_id):
        return "ACCOUNT_ID_INVALID"
    return None


def trading_date_problem(trading_date: str) -> str | None:
    """The reason ``trading_date`` is not a calendar date written yyyy-mm-dd, or None."""
    if not trading_date:
        return "TRADING_DATE_MISSING"
    if not _DATE.fullmatch(trading_date):
        return "TRADING_DATE_INVALID"
    try:
        date.fromisoformat(trading_date)
    except ValueError:
        return "TRADING_DATE_INVALID"
    return None


def require_account_id(account_id: str) -> None:
    """Raise INVALID_ARGUMENT unless ``account_id`` is 1-64 characters of [A-Za-z0-9_-]."""
    problem = account_id_problem(account_id)
    if problem is not None:
        raise InvalidSettlementRequestError(
            f"account id {account_id!r} is not 1-64 characters of [A-Za-z0-9_-]",
            reason=problem,
        )


def require_trading_date(trading_date: str) -> None:
    """Raise INVALID_ARGUMENT unless ``trading_date`` is a date written yyyy-mm-dd."""
    problem = trading_date_problem(trading_date)
    if problem is not None:
        raise InvalidSettlementRequestError(
            f"trading date {trading_date!r} is not a date written yyyy-mm-dd", reason=problem
        )


def require_positive_amount(amount: int) -> None:
    """Raise INVALID_ARGUMENT unless ``amount`` is a positive number of fen."""
    if amount <= 0:
        raise InvalidSettlementRequestError(
            f"amount must be a positive number of fen, not {amount}", reason="AMOUNT_NOT_POSITIVE"
        )
