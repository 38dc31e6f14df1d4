"""End of day (R-S2): the day closes only when what settled matches what the exchange reported."""

from __future__ import annotations

import pytest

from cqx_settlement.domain.commands import (
    CloseSettlementDay,
    RecordDeliveryRefused,
    RecordExchangeDay,
)
from cqx_settlement.domain.errors import (
    DeliveriesPendingError,
    InvalidSettlementRequestError,
    ReconciliationBreakError,
    SettlementDayAlreadyClosedError,
    TradingDayNotClosedError,
)
from cqx_settlement.domain.events import (
    DeliveryConfirmed,
    ExchangeDayReported,
    ReconciliationBreak,
    SettlementDayClosed,
)
from cqx_settlement.domain.ledger import ClearingLedger, DayStatus
from tests.unit.settlement.support import (
    DATE,
    both_sides,
    delivered,
    deposited,
    given,
    trade,
    when,
)


def reported(volume: int, instrument: str = "CEA-2025") -> RecordExchangeDay:
    """The exchange's day close for an instrument, as a command."""
    return RecordExchangeDay(DATE, instrument, volume, volume * 7_463, f"close-{instrument}")


def day_with_two_trades(*, registry_answered: bool = True) -> ClearingLedger:
    """Two trades of 1,000 t and 500 t settled on DATE (and, unless told otherwise, applied
    by the registry)."""
    ledger = given(deposited("buyer", 100_000_000))
    trades = (trade("T1", quantity=1_000, buyer_fee=10, seller_fee=10), trade("T2", quantity=500))
    for settled in trades:
        when(ledger, settled)
    if registry_answered:
        for settled in trades:
            for side in both_sides(settled):
                when(ledger, side)
    return ledger


def test_r_s2_a_day_that_reconciles_closes_with_its_totals() -> None:
    ledger = day_with_two_trades()
    when(ledger, reported(1_500))
    events = when(ledger, CloseSettlementDay(DATE, expected_trade_count=2, expected_volume=1_500))
    assert events == [SettlementDayClosed(DATE, 2, 7_463 * 1_500 + 10, 1_500)]
    assert ledger.days[DATE].status is DayStatus.CLOSED


def test_r_s2_the_exchanges_day_close_is_remembered_as_an_event() -> None:
    events = when(given(), reported(1_500))
    assert events == [ExchangeDayReported(DATE, "CEA-2025", 1_500, 1_500 * 7_463, "close-CEA-2025")]


def test_r_s2_before_the_exchange_closes_the_day_the_settlement_day_cannot_close() -> None:
    ledger = day_with_two_trades()
    with pytest.raises(TradingDayNotClosedError) as refused:
        when(ledger, CloseSettlementDay(DATE))
    assert refused.value.reason == "TRADING_DAY_NOT_CLOSED"
    assert ledger.days[DATE].status is DayStatus.OPEN


def test_r_s2_every_instrument_that_traded_must_be_closed_by_the_exchange() -> None:
    ledger = day_with_two_trades()
    when(ledger, reported(0, instrument="CEA-2024"))
    with pytest.raises(TradingDayNotClosedError) as refused:
        when(ledger, CloseSettlementDay(DATE))
    assert refused.value.metadata["instruments"] == "CEA-2025"


def test_r_s2_a_volume_mismatch_is_recorded_as_a_break_and_blocks_the_close() -> None:
    ledger = day_with_two_trades()
    when(ledger, reported(1_600))
    (found,) = when(ledger, CloseSettlementDay(DATE))
    assert isinstance(found, ReconciliationBreak)
    assert (found.instrument, found.expected, found.actual) == ("CEA-2025", 1_600, 1_500)
    assert found.code == "VOLUME_MISMATCH"
    assert ledger.days[DATE].status is DayStatus.BROKEN


def test_r_s2_a_break_already_recorded_is_not_recorded_again() -> None:
    ledger = day_with_two_trades()
    when(ledger, reported(1_600))
    when(ledger, CloseSettlementDay(DATE))
    with pytest.raises(ReconciliationBreakError) as refused:
        when(ledger, CloseSettlementDay(DATE))
    assert refused.value.reason == "RECONCILIATION_BREAK"
    assert len(ledger.days[DATE].breaks) == 1


def test_r_s2_an_unsettled_trade_is_named_in_a_break() -> None:
    ledger = day_with_two_trades()
    when(ledger, trade("T3", buyer="broke", quantity=100))  # fails: no cash
    when(ledger, reported(1_600))
    found = when(ledger, CloseSettlementDay(DATE))
    codes = sorted(b.code for b in found if isinstance(b, ReconciliationBreak))
    assert codes == ["UNSETTLED_TRADE", "VOLUME_MISMATCH"]
    unsettled = next(b for b in found if isinstance(b, ReconciliationBreak) and "T3" in b.detail)
    assert "INSUFFICIENT_FUNDS" in unsettled.detail


def test_r_s2_the_operators_expected_figures_are_checked_too() -> None:
    ledger = day_with_two_trades()
    when(ledger, reported(1_500))
    found = when(ledger, CloseSettlementDay(DATE, expected_trade_count=3, expected_volume=1_400))
    assert [(b.expected, b.actual) for b in found if isinstance(b, ReconciliationBreak)] == [
        (3, 2),
        (1_400, 1_500),
    ]


def test_a_closed_day_cannot_be_closed_again() -> None:
    ledger = given(ExchangeDayReported(DATE, "CEA-2025", 0, 0, "e"))
    when(ledger, CloseSettlementDay(DATE))
    with pytest.raises(SettlementDayAlreadyClosedError):
        when(ledger, CloseSettlementDay(DATE))


def test_r_s2_a_day_without_trades_closes_once_the_exchange_reported_it() -> None:
    ledger = given()
    when(ledger, reported(0))
    assert when(ledger, CloseSettlementDay(DATE)) == [SettlementDayClosed(DATE, 0, 0, 0)]


def test_r_s2_a_report_after_the_close_that_disagrees_is_a_break() -> None:
    ledger = day_with_two_trades()
    when(ledger, reported(1_500))
    when(ledger, CloseSettlementDay(DATE))
    _, found = when(ledger, reported(1_700))
    assert isinstance(found, ReconciliationBreak)
    assert ledger.days[DATE].status is DayStatus.BROKEN


@pytest.mark.parametrize("trading_date", ["", "2025-13-01", "14/03/2025", "2025-3-14"])
def test_a_day_is_named_by_a_date_written_yyyy_mm_dd(trading_date: str) -> None:
    with pytest.raises(InvalidSettlementRequestError):
        when(given(), CloseSettlementDay(trading_date))


def test_negative_expected_figures_are_invalid() -> None:
    ledger = given(ExchangeDayReported(DATE, "CEA-2025", 0, 0, "e"))
    with pytest.raises(InvalidSettlementRequestError):
        when(ledger, CloseSettlementDay(DATE, expected_volume=-1))


def test_r_s2_the_day_waits_until_the_registry_has_applied_every_settled_trade() -> None:
    ledger = day_with_two_trades(registry_answered=False)
    when(ledger, reported(1_500))
    with pytest.raises(DeliveriesPendingError) as refused:
        when(ledger, CloseSettlementDay(DATE))
    assert (refused.value.reason, refused.value.metadata["pending"]) == ("DELIVERIES_PENDING", "2")
    assert ledger.days[DATE].breaks == []  # waiting is not a break
    for side in both_sides(trade("T1", quantity=1_000)):
        when(ledger, side)
    when(ledger, delivered(trade("T2", quantity=500), "SELLER"))
    with pytest.raises(DeliveriesPendingError) as refused:  # the buyer's side is not in yet
        when(ledger, CloseSettlementDay(DATE))
    assert refused.value.metadata["pending"] == "1"
    when(ledger, delivered(trade("T2", quantity=500), "BUYER"))
    assert when(ledger, CloseSettlementDay(DATE))[0] == SettlementDayClosed(
        DATE, 2, 7_463 * 1_500 + 10, 1_500
    )


def test_r_s2_the_registrys_answer_is_recorded_once_on_the_trades_day() -> None:
    ledger = day_with_two_trades(registry_answered=False)
    t1 = trade("T1", quantity=1_000)
    first = when(ledger, delivered(t1, "SELLER"))
    assert first == [
        DeliveryConfirmed("T1", DATE, "CEA-2025", "seller", "buyer", 1_000, "reg-T1-SELLER",
                          "SELLER")
    ]  # fmt: skip
    assert when(ledger, delivered(t1, "SELLER")) == []  # redelivered message
    assert ledger.days[DATE].registry_moves == {("seller", "CEA-2025"): -1_000}
    when(ledger, delivered(t1, "BUYER"))
    assert ledger.days[DATE].registry_moves == {("buyer", "CEA-2025"): 1_000,
                                                ("seller", "CEA-2025"): -1_000}  # fmt: skip


def test_r_s2_a_delivery_the_registry_refused_is_a_break() -> None:
    ledger = day_with_two_trades(registry_answered=False)
    for side in both_sides(trade("T1", quantity=1_000)):
        when(ledger, side)
    when(ledger, RecordDeliveryRefused("T2", "INSUFFICIENT_TRADING_POSITION", "reg-T2"))
    when(ledger, reported(1_500))
    (found,) = when(ledger, CloseSettlementDay(DATE))
    assert isinstance(found, ReconciliationBreak)
    assert found.code == "DELIVERY_REFUSED"
    assert "T2" in found.detail
    assert "INSUFFICIENT_TRADING_POSITION" in found.detail
    assert ledger.days[DATE].status is DayStatus.BROKEN


def test_r_s2_a_registry_position_that_differs_from_the_trades_is_a_break() -> None:
    ledger = day_with_two_trades(registry_answered=False)
    for side in both_sides(trade("T1", quantity=1_000)):
        when(ledger, side)
    t2 = trade("T2", quantity=500)
    when(ledger, delivered(t2, "SELLER"))
    when(ledger, delivered(t2, "BUYER", quantity=499))  # the buyer's side got a tonne less
    when(ledger, reported(1_500))
    found = when(ledger, CloseSettlementDay(DATE))
    assert [(b.account_id, b.expected, b.actual, b.code) for b in found
            if isinstance(b, ReconciliationBreak)] == [
        ("buyer", 1_500, 1_499, "POSITION_MISMATCH"),
    ]  # fmt: skip


def test_an_answer_for_a_trade_that_did_not_settle_here_is_refused() -> None:
    with pytest.raises(InvalidSettlementRequestError) as refused:
        when(given(), delivered(trade("T9"), "SELLER"))
    assert refused.value.reason == "DELIVERY_OF_UNSETTLED_TRADE"
    ledger = day_with_two_trades(registry_answered=False)
    with pytest.raises(InvalidSettlementRequestError) as unknown:
        when(ledger, delivered(trade("T1"), ""))
    assert unknown.value.reason == "DELIVERY_LEG_UNKNOWN"
