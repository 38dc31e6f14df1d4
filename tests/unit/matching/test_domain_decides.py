"""Rules the domain decides on its own: ownership first, the self-trade prevention an order
chose, post-only with IOC/FOK, bidding windows beyond the calendar, instruments listed at
run time and opened one by one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cqx_matching.domain import (
    AnnounceBidding,
    AssignAllowances,
    CancelOrder,
    CloseTradingDay,
    DepositFunds,
    Exchange,
    InstrumentConfig,
    InstrumentDayOpened,
    InstrumentListed,
    OpenInstrumentDay,
    OpenTradingDay,
    OrderCancelled,
    OrderReplaced,
    PlaceOrder,
    PostListing,
    Reason,
    ReplaceOrder,
    SelfTradePrevention,
    Side,
    TakeListing,
    TimeInForce,
    TradingCalendar,
    TradingDayOpened,
    canonical_line,
)
from cqx_matching.domain.errors import UndecidableCommandError
from tests.unit.matching.support import (
    AFTERNOON,
    CALENDAR,
    DAY,
    INSTRUMENT,
    MORNING,
    Book,
    Market,
    at,
    config,
    reasons,
)

BUY, SELL = Side.BUY, Side.SELL
BOTH, OLDEST = SelfTradePrevention.CANCEL_BOTH, SelfTradePrevention.CANCEL_OLDEST


def test_a_non_owner_learns_nothing_about_an_order_not_even_that_it_filled() -> None:
    m = Market()
    m.fund("A", "B", "C")
    m.given(PlaceOrder(INSTRUMENT, "s1", "A", SELL, 30, 6_000, MORNING))
    m.given(PlaceOrder(INSTRUMENT, "b1", "B", BUY, 30, 6_000, MORNING + 1))
    assert reasons(m.when(CancelOrder(INSTRUMENT, "s1", "C", MORNING + 2))) == [
        Reason.NOT_ORDER_OWNER
    ]
    assert reasons(m.when(CancelOrder(INSTRUMENT, "s1", "A", MORNING + 3))) == [
        Reason.ORDER_ALREADY_FILLED
    ]


def test_orders_of_an_earlier_day_are_refused_for_the_right_reason_owner_first() -> None:
    m = Market()
    m.fund("A", "B", "C")
    m.given(PlaceOrder(INSTRUMENT, "s1", "A", SELL, 30, 6_000, MORNING))
    m.given(PlaceOrder(INSTRUMENT, "b1", "B", BUY, 30, 6_000, MORNING + 1))
    m.given(PlaceOrder(INSTRUMENT, "b2", "B", BUY, 10, 5_900, MORNING + 2))
    m.given(CloseTradingDay(at(15, 0)))
    tomorrow = DAY + timedelta(days=1)
    m.given(OpenTradingDay(tomorrow, at(9, 0, day=tomorrow)))
    now = at(10, 0, day=tomorrow)
    assert reasons(m.when(CancelOrder(INSTRUMENT, "s1", "C", now))) == [Reason.NOT_ORDER_OWNER]
    assert reasons(m.when(CancelOrder(INSTRUMENT, "s1", "A", now))) == [Reason.ORDER_ALREADY_FILLED]
    assert reasons(m.when(CancelOrder(INSTRUMENT, "b2", "B", now))) == [Reason.ORDER_ALREADY_CLOSED]


def test_a_listing_takers_order_is_filled_and_only_its_owner_hears_so() -> None:
    m = Market()
    m.fund("A", "B", "C")
    m.given(PostListing(INSTRUMENT, "l1", "A", SELL, 500, 6_050, MORNING))
    m.given(TakeListing(INSTRUMENT, "t1", "B", BUY, 200, MORNING + 1, "l1"))
    assert reasons(m.when(CancelOrder(INSTRUMENT, "t1", "C", MORNING + 2))) == [
        Reason.NOT_ORDER_OWNER
    ]
    assert reasons(m.when(CancelOrder(INSTRUMENT, "t1", "B", MORNING + 3))) == [
        Reason.ORDER_ALREADY_FILLED
    ]


def _stp_market() -> Market:
    """The issue's example: D rests a post-only SELL 16 @103 and a BUY 5 @97."""
    m = Market(config(previous_close=100))
    m.fund("D")
    m.given(PlaceOrder(INSTRUMENT, "s", "D", SELL, 16, 103, MORNING, post_only=True))
    return m


def test_a_replace_keeps_cancel_both_chosen_when_the_order_was_placed() -> None:
    m = _stp_market()
    m.given(PlaceOrder(INSTRUMENT, "b", "D", BUY, 5, 97, MORNING + 1, self_trade_prevention=BOTH))
    events = m.when(ReplaceOrder(INSTRUMENT, "b", "D", 104, 19, MORNING + 2))
    assert isinstance(events[0], OrderReplaced)
    cancelled = [(e.order_id, e.quantity) for e in events if isinstance(e, OrderCancelled)]
    assert sorted(cancelled) == [("b", 19), ("s", 16)]
    assert m.book.open_count() == 0


def test_a_replace_keeps_cancel_oldest_the_resting_order_goes_not_the_replaced() -> None:
    m = _stp_market()
    m.given(PlaceOrder(INSTRUMENT, "b", "D", BUY, 5, 97, MORNING + 1, self_trade_prevention=OLDEST))
    events = m.when(ReplaceOrder(INSTRUMENT, "b", "D", 104, 19, MORNING + 2))
    assert [e.order_id for e in events if isinstance(e, OrderCancelled)] == ["s"]
    resting = m.book.open_order("b")
    assert resting is not None
    assert (resting.price, resting.remaining) == (104, 19)


def test_an_order_without_a_choice_replaces_under_the_instruments_mode() -> None:
    m = _stp_market()  # the instrument's mode: CANCEL_NEWEST
    m.given(PlaceOrder(INSTRUMENT, "b", "D", BUY, 5, 97, MORNING + 1))
    events = m.when(ReplaceOrder(INSTRUMENT, "b", "D", 104, 19, MORNING + 2))
    assert [e.order_id for e in events if isinstance(e, OrderCancelled)] == ["b"]
    assert m.book.open_order("s") is not None


def test_an_event_without_a_chosen_mode_keeps_its_canonical_bytes() -> None:
    m = Market()
    m.fund("A")
    plain = m.when(PlaceOrder(INSTRUMENT, "p", "A", BUY, 5, 5_990, MORNING))
    chose = m.when(
        PlaceOrder(INSTRUMENT, "q", "A", BUY, 5, 5_990, MORNING + 1, self_trade_prevention=BOTH)
    )
    assert "self_trade_prevention" not in canonical_line(plain[0])
    assert '"self_trade_prevention":"CANCEL_BOTH"' in canonical_line(chose[0])


@pytest.mark.parametrize("tif", [TimeInForce.IOC, TimeInForce.FOK])
@pytest.mark.parametrize("crosses", [True, False])
def test_post_only_with_ioc_or_fok_is_an_invalid_order_type_whatever_the_book(
    tif: TimeInForce, crosses: bool
) -> None:
    book = Book()
    book.sell("s1", "A", 30, 6_000)
    price = 6_000 if crosses else 5_990
    events = book.buy("b1", "B", 30, price, post_only=True, time_in_force=tif)
    assert reasons(events) == [Reason.INVALID_ORDER_TYPE]


@pytest.mark.parametrize("end", [2**63 - 1, 2**62, -(2**63)])
def test_a_bidding_window_beyond_the_calendar_is_refused_not_raised(end: int) -> None:
    m = Market()
    m.fund("A")
    command = AnnounceBidding(INSTRUMENT, "a1", "A", SELL, 10, 6_000, AFTERNOON, end, AFTERNOON)
    assert reasons(m.when(command)) == [Reason.BIDDING_WINDOW_INVALID]
    assert not CALENDAR.within_one_session("BIDDING", AFTERNOON, end)


class DefectiveCalendar(TradingCalendar):
    """A calendar with a defect: it cannot tell whether a day trades."""

    def is_trading_day(self, day: date) -> bool:
        raise OverflowError(f"a defect on {day}")


def test_a_defect_before_anything_changed_is_undecidable_and_leaves_the_state() -> None:
    m = Market(calendar=DefectiveCalendar(), day=None)
    m.fund("A")
    before = m.exchange.snapshot()
    with pytest.raises(UndecidableCommandError):
        m.exchange.apply(OpenTradingDay(DAY, at(9, 0)))
    assert m.exchange.snapshot() == before


def _listing(name: str) -> InstrumentConfig:
    return InstrumentConfig(name, previous_close=0)


def test_instruments_listed_and_opened_one_by_one_replay_without_the_application() -> None:
    ex = Exchange((), CALENDAR, _listing)
    log = ex.apply(OpenInstrumentDay("CEA-2025", DAY, 6_000, at(9, 0)))
    assert [type(e) for e in log] == [TradingDayOpened, InstrumentListed, InstrumentDayOpened]
    log += ex.apply(OpenInstrumentDay("CEA-2026", DAY, 7_000, at(9, 1)))
    log += ex.apply(DepositFunds("A", 10_000_000, at(9, 2)))
    log += ex.apply(PlaceOrder("CEA-2025", "o1", "A", BUY, 10, 6_000, at(10, 0)))
    assert not reasons(log)
    rebuilt = Exchange.replay((), log, CALENDAR, _listing)
    assert rebuilt.snapshot() == ex.snapshot()
    assert rebuilt.markets["CEA-2026"].reference_price == 7_000


def test_an_instrument_trades_only_once_its_day_is_opened() -> None:
    ex = Exchange((), CALENDAR, _listing)
    ex.apply(OpenInstrumentDay("CEA-2025", DAY, 6_000, at(9, 0)))
    unknown = PlaceOrder("CEA-2027", "o1", "A", BUY, 10, 6_000, at(10, 0))
    assert reasons(ex.apply(unknown)) == [Reason.UNKNOWN_INSTRUMENT]
    credited = ex.apply(AssignAllowances("A", "CEA-2026", 10, at(10, 0)))  # lists it
    assert [type(e).__name__ for e in credited] == ["InstrumentListed", "AllowancesAssigned"]
    not_open = PlaceOrder("CEA-2026", "o2", "A", SELL, 10, 6_000, at(10, 1))
    assert reasons(ex.apply(not_open)) == [Reason.DAY_NOT_OPEN]
    assert reasons(ex.apply(AssignAllowances("A", "EUA-1", 10, at(10, 2)))) == [
        Reason.INSTRUMENT_INVALID
    ]
