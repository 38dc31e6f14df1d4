"""Settling trades delivery versus payment (R-S1): both legs in one event, or neither."""

from __future__ import annotations

import pytest

from cqx_settlement.domain.commands import DepositFunds
from cqx_settlement.domain.errors import InvalidSettlementRequestError
from cqx_settlement.domain.events import (
    ReconciliationBreak,
    SettlementDayClosed,
    TradeSettled,
    TradeSettlementFailed,
)
from tests.unit.settlement.support import DATE, FEES, balance, deposited, given, trade, when


def test_r_s1_a_trade_moves_both_cash_legs_and_both_fees_at_once() -> None:
    ledger = given(deposited("buyer", 10_000_000))
    notional = 7_463 * 1_000
    (settled,) = when(ledger, trade(buyer_fee=3_732, seller_fee=3_731))
    assert isinstance(settled, TradeSettled)
    assert settled.buyer_paid == notional + 3_732
    assert settled.seller_received == notional - 3_731
    assert settled.fee == 3_732 + 3_731
    assert settled.fee_account_id == FEES
    assert balance(ledger, "buyer") == 10_000_000 - notional - 3_732
    assert balance(ledger, "seller") == notional - 3_731
    assert balance(ledger, FEES) == 7_463


def test_r_s1_the_settlement_carries_the_allowance_leg_for_the_registry() -> None:
    ledger = given(deposited("buyer", 10_000_000))
    (settled,) = when(ledger, trade(quantity=250, instrument="CEA-2024"))
    assert isinstance(settled, TradeSettled)
    assert (settled.seller_account_id, settled.buyer_account_id) == ("seller", "buyer")
    assert (settled.instrument, settled.quantity) == ("CEA-2024", 250)
    assert settled.source_event_id == "evt-T1"


def test_r_s1_a_trade_the_buyers_cash_does_not_cover_moves_neither_leg() -> None:
    ledger = given(deposited("buyer", 7_463 * 1_000))  # the notional, not the fee
    (failed,) = when(ledger, trade(buyer_fee=1))
    assert isinstance(failed, TradeSettlementFailed)
    assert failed.reason == "INSUFFICIENT_FUNDS"
    assert balance(ledger, "buyer") == 7_463 * 1_000
    assert balance(ledger, "seller") == 0
    assert ledger.days[DATE].unsettled == {"T1": 1_000}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"buyer_fee": -1}, "FEE_NEGATIVE"),
        ({"seller_fee": -1}, "FEE_NEGATIVE"),
        ({"price": 0}, "PRICE_NOT_POSITIVE"),
        ({"quantity": 0}, "QUANTITY_NOT_POSITIVE"),
        ({"seller_fee": 7_463 * 1_000 + 1}, "SELLER_FEE_EXCEEDS_NOTIONAL"),
        ({"instrument": ""}, "INSTRUMENT_MISSING"),
        ({"buyer": ""}, "ACCOUNT_ID_MISSING"),
        ({"seller": FEES}, "FEE_ACCOUNT_CANNOT_TRADE"),
        ({"trading_date": "2025-02-30"}, "TRADING_DATE_INVALID"),
        ({"price": 2**62, "quantity": 4}, "AMOUNT_TOO_LARGE"),
    ],
)
def test_a_malformed_trade_report_is_recorded_as_failed_with_its_reason(
    changes: dict[str, object], reason: str
) -> None:
    ledger = given(deposited("buyer", 10**12))
    (failed,) = when(ledger, trade(**changes))  # type: ignore[arg-type]
    assert isinstance(failed, TradeSettlementFailed)
    assert failed.reason == reason
    assert balance(ledger, "buyer") == 10**12
    assert ledger.total_balances() == 10**12


def test_a_trade_reported_twice_settles_once() -> None:
    ledger = given(deposited("buyer", 20_000_000))
    assert len(when(ledger, trade("T9"))) == 1
    assert when(ledger, trade("T9")) == []
    assert balance(ledger, "buyer") == 20_000_000 - 7_463_000
    assert ledger.days[DATE].trades_settled == 1


def test_a_trade_without_an_id_is_refused_outright() -> None:
    with pytest.raises(InvalidSettlementRequestError) as refused:
        when(given(), trade(""))
    assert refused.value.reason == "TRADE_ID_MISSING"


def test_r_s2_a_trade_settled_after_its_day_closed_is_a_break() -> None:
    ledger = given(deposited("buyer", 20_000_000), SettlementDayClosed(DATE, 0, 0, 0))
    settled, late = when(ledger, trade("T-late"))
    assert isinstance(settled, TradeSettled)
    assert isinstance(late, ReconciliationBreak)
    assert late.code == "LATE_TRADE"
    assert balance(ledger, "seller") == 7_463_000  # the cash still moves: DvP is owed


def test_a_failed_trade_stays_failed_when_reported_again() -> None:
    ledger = given()
    (failed,) = when(ledger, trade("T9"))
    assert isinstance(failed, TradeSettlementFailed)
    when(ledger, DepositFunds("d1", "buyer", 20_000_000))
    assert when(ledger, trade("T9")) == []
    assert ledger.days[DATE].trades_failed == 1
    assert balance(ledger, "seller") == 0
