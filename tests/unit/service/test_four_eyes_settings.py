"""CQX_FOUR_EYES: which operators' acts wait for a second operator."""

from __future__ import annotations

import pytest

from cqx_kernel.errors import InvalidArgumentError
from cqx_service.approvals import DEFAULT_FOUR_EYES, four_eyes_methods, withdrawal_threshold
from cqx_service.policy import operator_methods


def test_by_default_what_creates_destroys_or_locks_value_and_what_decides_how_much() -> None:
    assert four_eyes_methods({}, operator_methods()) == DEFAULT_FOUR_EYES == {
        "SetAllocation", "IssueAllocation", "DepositFunds", "Freeze", "Unfreeze"
    }  # fmt: skip
    assert four_eyes_methods({"CQX_FOUR_EYES": "off"}, operator_methods()) == frozenset()
    chosen = four_eyes_methods({"CQX_FOUR_EYES": "DepositFunds, OpenAccount"}, operator_methods())
    assert chosen == {"DepositFunds", "OpenAccount"}


@pytest.mark.parametrize("value", ["PlaceOrder", "CloseTradingDay", "Deposit"])
def test_a_method_no_approval_can_guard_is_a_clear_error(value: str) -> None:
    """A member's method, the exchange's (it serves no approvals), or a typo."""
    with pytest.raises(InvalidArgumentError, match=value):
        four_eyes_methods({"CQX_FOUR_EYES": value}, operator_methods())


def test_a_members_withdrawal_beyond_a_threshold_waits_unless_four_eyes_are_off() -> None:
    assert withdrawal_threshold({}) == 100_000_000  # 1,000,000.00 CNY
    assert withdrawal_threshold({"CQX_FOUR_EYES_WITHDRAWAL_FEN": "500"}) == 500
    assert withdrawal_threshold({"CQX_FOUR_EYES": "off"}) is None
    with pytest.raises(InvalidArgumentError, match="whole number of fen"):
        withdrawal_threshold({"CQX_FOUR_EYES_WITHDRAWAL_FEN": "1e6"})
