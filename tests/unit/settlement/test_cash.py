"""Cash in and out of the clearing account: deposits, withdrawals and the exchange's answers."""

from __future__ import annotations

import pytest

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
    InvalidSettlementRequestError,
)
from cqx_settlement.domain.events import (
    CashWithdrawalRefused,
    CashWithdrawalRequested,
    CashWithdrawn,
    FundsDeposited,
)
from cqx_settlement.domain.ledger import WithdrawalStatus
from cqx_settlement.domain.validation import MAX_FEN
from tests.unit.settlement.support import FEES, balance, deposited, given, when


def test_a_deposit_credits_the_account() -> None:
    ledger = given(deposited("acme", 500))
    events = when(ledger, DepositFunds("d2", "acme", 1_250))
    assert events == [FundsDeposited("d2", "acme", 1_250)]
    assert balance(ledger, "acme") == 1_750


@pytest.mark.parametrize(
    ("account_id", "amount", "reason"),
    [
        ("acme", 0, "AMOUNT_NOT_POSITIVE"),
        ("acme", -5, "AMOUNT_NOT_POSITIVE"),
        ("", 100, "ACCOUNT_ID_MISSING"),
        ("acme corp", 100, "ACCOUNT_ID_INVALID"),
        ("x" * 65, 100, "ACCOUNT_ID_INVALID"),
    ],
)
def test_a_malformed_deposit_is_refused_and_changes_nothing(
    account_id: str, amount: int, reason: str
) -> None:
    ledger = given()
    with pytest.raises(InvalidSettlementRequestError) as refused:
        when(ledger, DepositFunds("d1", account_id, amount))
    assert refused.value.reason == reason
    assert ledger.accounts == {}


def test_the_fee_account_takes_no_deposits() -> None:
    with pytest.raises(FeeAccountError):
        when(given(), DepositFunds("d1", FEES, 100))


def test_a_deposit_beyond_64_bits_of_fen_is_refused() -> None:
    ledger = given(deposited("acme", MAX_FEN - 10))
    with pytest.raises(BalanceLimitError):
        when(ledger, DepositFunds("d2", "acme", 11))
    assert balance(ledger, "acme") == MAX_FEN - 10


def test_a_withdrawal_request_holds_the_amount_without_reducing_the_balance() -> None:
    ledger = given(deposited("acme", 1_000))
    events = when(ledger, RequestWithdrawal("w1", "acme", 600))
    assert events == [CashWithdrawalRequested("w1", "acme", 600)]
    account = ledger.accounts["acme"]
    assert (account.balance, account.pending_total, account.available) == (1_000, 600, 400)


def test_a_withdrawal_beyond_the_balance_less_pending_withdrawals_is_insufficient_funds() -> None:
    ledger = given(deposited("acme", 1_000), CashWithdrawalRequested("w1", "acme", 600))
    with pytest.raises(InsufficientFundsError) as refused:
        when(ledger, RequestWithdrawal("w2", "acme", 401))
    assert refused.value.reason == "INSUFFICIENT_FUNDS"
    assert refused.value.metadata["available_fen"] == "400"
    assert "w2" not in ledger.withdrawals
    assert when(ledger, RequestWithdrawal("w3", "acme", 400))  # exactly what is free


def test_a_withdrawal_from_an_account_that_never_held_cash_is_not_found() -> None:
    with pytest.raises(CashAccountNotFoundError):
        when(given(), RequestWithdrawal("w1", "ghost", 1))


def test_the_exchanges_approval_pays_the_withdrawal_out() -> None:
    ledger = given(deposited("acme", 1_000), CashWithdrawalRequested("w1", "acme", 600))
    events = when(ledger, CompleteWithdrawal("w1", "acme", 600))
    assert events == [CashWithdrawn("w1", "acme", 600)]
    account = ledger.accounts["acme"]
    assert (account.balance, account.pending_total) == (400, 0)
    assert ledger.withdrawals["w1"].status is WithdrawalStatus.COMPLETED
    assert ledger.withdrawn == 600


def test_the_exchanges_refusal_releases_the_pending_amount() -> None:
    ledger = given(deposited("acme", 1_000), CashWithdrawalRequested("w1", "acme", 600))
    events = when(ledger, RefuseWithdrawal("w1", "acme", 600, "FUNDS_RESERVED"))
    assert events == [CashWithdrawalRefused("w1", "acme", 600, "FUNDS_RESERVED")]
    account = ledger.accounts["acme"]
    assert (account.balance, account.pending_total) == (1_000, 0)
    assert ledger.withdrawals["w1"].reason == "FUNDS_RESERVED"


def test_an_answer_to_an_answered_or_unknown_withdrawal_changes_nothing() -> None:
    ledger = given(
        deposited("acme", 1_000),
        CashWithdrawalRequested("w1", "acme", 600),
        CashWithdrawn("w1", "acme", 600),
    )
    assert when(ledger, CompleteWithdrawal("w1", "acme", 600)) == []
    assert when(ledger, RefuseWithdrawal("w1", "acme", 600, "LATE")) == []
    assert when(ledger, CompleteWithdrawal("w-unknown", "acme", 5)) == []
    assert balance(ledger, "acme") == 400


def test_an_approval_for_another_amount_is_refused_here_not_paid() -> None:
    ledger = given(deposited("acme", 1_000), CashWithdrawalRequested("w1", "acme", 600))
    events = when(ledger, CompleteWithdrawal("w1", "acme", 700))
    assert events == [CashWithdrawalRefused("w1", "acme", 600, "APPROVED_AMOUNT_MISMATCH")]
    assert balance(ledger, "acme") == 1_000
