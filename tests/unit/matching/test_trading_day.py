"""The calendar and the trading day: R-T4, R-T6, R-T9, R-T10."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from cqx_matching.domain import (
    AssignAllowances,
    CancelOrder,
    CloseTradingDay,
    DayClosed,
    OpenTradingDay,
    OrderExpired,
    PlaceOrder,
    PostListing,
    Reason,
    Side,
    TakeListing,
    TradingCalendar,
    TradingDayClosed,
    TradingMode,
    WithdrawAllowances,
    timestamp,
)
from cqx_matching.domain.statistics import volume_weighted_price
from tests.unit.matching.support import (
    CALENDAR,
    DAY,
    INSTRUMENT,
    MORNING,
    Market,
    at,
    config,
    reasons,
)

NEXT_DAY = date(2025, 7, 17)


def order(
    oid: str, account: str, side: Side, qty: int, price: int, when: int = MORNING
) -> PlaceOrder:
    return PlaceOrder(INSTRUMENT, oid, account, side, qty, price, when)


@pytest.mark.parametrize(
    ("clock", "mode", "open_"),
    [
        (time(9, 29, 59), TradingMode.LISTED, False),
        (time(9, 30), TradingMode.LISTED, True),
        (time(11, 29, 59), TradingMode.CONTINUOUS, True),
        (time(11, 30), TradingMode.LISTED, False),
        (time(12, 30), TradingMode.LISTED, False),
        (time(13, 0), TradingMode.LISTED, True),
        (time(14, 59, 59), TradingMode.LISTED, True),
        (time(15, 0), TradingMode.LISTED, False),
        (time(10, 0), TradingMode.BLOCK, False),
        (time(13, 0), TradingMode.BLOCK, True),
        (time(15, 0), TradingMode.BLOCK, False),
    ],
)
def test_R_T4_sessions_per_mode_in_shanghai_time(
    clock: time, mode: TradingMode, open_: bool
) -> None:
    assert CALENDAR.is_open(mode, CALENDAR.at(DAY, clock)) is open_


def test_R_T4_shanghai_is_eight_hours_ahead_of_utc() -> None:
    moment = timestamp(datetime(2025, 7, 16, 1, 30, tzinfo=UTC))
    assert CALENDAR.local(moment) == datetime(2025, 7, 16, 9, 30)
    assert CALENDAR.is_open(TradingMode.LISTED, moment)


def test_R_T4_weekends_and_operator_holidays_are_closed() -> None:
    calendar = TradingCalendar(holidays=frozenset({date(2025, 10, 1)}))
    assert not calendar.is_trading_day(date(2025, 7, 19))  # Saturday
    assert not calendar.is_trading_day(date(2025, 10, 1))
    assert calendar.is_trading_day(date(2025, 10, 9))
    assert calendar.next_trading_day(date(2025, 9, 30)) == date(2025, 10, 2)
    assert not calendar.is_open(TradingMode.LISTED, calendar.at(date(2025, 10, 1), time(10)))


def test_R_T4_a_holiday_cannot_be_opened() -> None:
    market = Market(calendar=TradingCalendar(holidays=frozenset({DAY})), day=None)
    events = market.when(OpenTradingDay(DAY, at(9, 0)))
    assert reasons(events) == [Reason.NOT_A_TRADING_DAY]


def test_R_T4_orders_outside_the_sessions_are_rejected() -> None:
    market = Market()
    market.fund("A")
    assert reasons(market.when(order("o1", "A", Side.BUY, 10, 6_000, at(12, 0)))) == [
        Reason.SESSION_CLOSED
    ]
    assert reasons(market.when(order("o2", "A", Side.BUY, 10, 6_000, at(9, 0)))) == [
        Reason.SESSION_CLOSED
    ]


def test_R_T4_nothing_trades_before_the_day_is_opened() -> None:
    market = Market(day=None)
    assert reasons(market.when(order("o1", "A", Side.BUY, 10, 6_000))) == [Reason.DAY_NOT_OPEN]


def test_cancelling_is_allowed_in_the_lunch_break() -> None:
    market = Market()
    market.fund("A")
    market.given(order("o1", "A", Side.BUY, 10, 6_000))
    assert reasons(market.when(CancelOrder(INSTRUMENT, "o1", "A", at(12, 0)))) == []


def test_the_day_cannot_close_before_the_last_session_ends() -> None:
    market = Market()
    assert reasons(market.when(CloseTradingDay(at(14, 59)))) == [Reason.SESSION_STILL_OPEN]
    assert reasons(market.when(OpenTradingDay(DAY, at(9, 5)))) == [Reason.DAY_ALREADY_OPEN]


def test_R_T10_unfilled_orders_expire_at_the_end_of_the_day() -> None:
    market = Market()
    market.fund("A", "B")
    market.given(
        order("o1", "A", Side.BUY, 10, 5_990),
        PostListing(INSTRUMENT, "l1", "B", Side.SELL, 20, 6_050, MORNING),
    )
    events = market.when(CloseTradingDay(at(15, 0)))
    expired = [(e.order_id, e.mode, e.quantity) for e in events if isinstance(e, OrderExpired)]
    assert expired == [("o1", TradingMode.CONTINUOUS, 10), ("l1", TradingMode.LISTED, 20)]
    assert isinstance(events[-1], TradingDayClosed)
    assert market.exchange.ledger.reservations == {}


def test_R_T6_allowances_bought_today_are_sellable_only_from_the_next_trading_day() -> None:
    market = Market()
    market.fund("A")
    market.fund("B", allowances=0)
    market.given(order("s1", "A", Side.SELL, 100, 6_000), order("b1", "B", Side.BUY, 100, 6_000))
    assert reasons(market.when(order("s2", "B", Side.SELL, 1, 6_000, at(14, 0)))) == [
        Reason.INSUFFICIENT_ALLOWANCES
    ]
    withdraw = WithdrawAllowances("B", INSTRUMENT, 1, at(14, 0))
    assert reasons(market.when(withdraw)) == [Reason.INSUFFICIENT_ALLOWANCES]
    market.given(CloseTradingDay(at(15, 0)), OpenTradingDay(NEXT_DAY, at(9, 0, day=NEXT_DAY)))
    assert market.exchange.ledger.free_allowances("B", INSTRUMENT) == 100
    assert (
        reasons(market.when(order("s2", "B", Side.SELL, 100, 6_000, at(9, 30, day=NEXT_DAY)))) == []
    )


def test_R_T9_close_is_the_vwap_of_the_days_listed_trades_rounded_half_up() -> None:
    market = Market()
    market.fund("A", "B")
    market.given(
        order("s1", "A", Side.SELL, 1, 6_000),
        order("b1", "B", Side.BUY, 1, 6_000),
        order("s2", "A", Side.SELL, 1, 6_001),
        order("b2", "B", Side.BUY, 1, 6_001),
    )
    events = market.when(CloseTradingDay(at(15, 0)))
    (stats,) = [e for e in events if isinstance(e, DayClosed)]
    assert (stats.open, stats.high, stats.low, stats.close) == (6_000, 6_001, 6_000, 6_001)
    assert (stats.volume, stats.turnover, stats.trades) == (2, 12_001, 2)


def test_R_T9_vwap_rounds_half_up_and_down_below_half() -> None:
    assert volume_weighted_price(turnover=12_001, volume=2) == 6_001  # 6,000.5
    assert volume_weighted_price(turnover=18_001, volume=3) == 6_000  # 6,000.33
    assert volume_weighted_price(turnover=18_002, volume=3) == 6_001  # 6,000.67


def test_R_T9_without_listed_trades_the_previous_close_carries_forward() -> None:
    market = Market(config(previous_close=7_463))
    events = market.when(CloseTradingDay(at(15, 0)))
    (stats,) = [e for e in events if isinstance(e, DayClosed)]
    assert (stats.open, stats.high, stats.low, stats.close, stats.volume) == (
        7_463,
        7_463,
        7_463,
        7_463,
        0,
    )


def test_R_T9_the_close_is_the_next_days_band_centre() -> None:
    market = Market()
    market.fund("A", "B")
    market.given(
        PostListing(INSTRUMENT, "l1", "A", Side.SELL, 10, 6_600, MORNING),
        TakeListing(INSTRUMENT, "t1", "B", Side.BUY, 10, MORNING, "l1"),
        CloseTradingDay(at(15, 0)),
        OpenTradingDay(NEXT_DAY, at(9, 0, day=NEXT_DAY)),
    )
    assert market.exchange.markets[INSTRUMENT].reference_price == 6_600
    later = order("o1", "A", Side.SELL, 1, 7_260, at(9, 31, day=NEXT_DAY))  # 6,600 + 10%
    assert reasons(market.when(later)) == []


def test_R_T9_block_trades_count_in_volume_but_not_in_the_close() -> None:
    from cqx_matching.domain import AcceptBlockTrade, ProposeBlockTrade

    market = Market()
    market.fund("A", "B")
    market.given(
        ProposeBlockTrade(INSTRUMENT, "n1", "A", Side.SELL, 7_000, 100_000, at(13, 5), "B"),
        AcceptBlockTrade(INSTRUMENT, "n1", "B", 7_000, 100_000, at(13, 6)),
    )
    events = market.when(CloseTradingDay(at(15, 0)))
    (stats,) = [e for e in events if isinstance(e, DayClosed)]
    assert (stats.close, stats.volume, stats.listed_volume) == (6_000, 100_000, 0)


def test_a_closed_day_cannot_be_opened_again() -> None:
    market = Market()
    market.given(CloseTradingDay(at(15, 0)))
    assert reasons(market.when(OpenTradingDay(DAY, at(15, 1)))) == [Reason.DAY_ALREADY_CLOSED]


def test_order_ids_may_be_reused_on_another_day() -> None:
    market = Market()
    market.fund("A")
    market.given(
        order("o1", "A", Side.BUY, 10, 5_990),
        CloseTradingDay(at(15, 0)),
        OpenTradingDay(NEXT_DAY, at(9, 0, day=NEXT_DAY)),
        AssignAllowances("A", INSTRUMENT, 1, at(9, 0, day=NEXT_DAY)),
    )
    assert (
        reasons(market.when(order("o1", "A", Side.BUY, 10, 5_990, at(9, 31, day=NEXT_DAY)))) == []
    )
