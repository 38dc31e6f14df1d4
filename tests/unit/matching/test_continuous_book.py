"""The continuous book: price-time priority and its order types, given/when/then."""

from __future__ import annotations

import pytest

from cqx_matching.domain import (
    CancelReason,
    OrderAccepted,
    OrderCancelled,
    OrderReduced,
    OrderRejected,
    OrderReplaced,
    OrderType,
    Reason,
    ReduceOrder,
    ReplaceOrder,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from tests.unit.matching.support import INSTRUMENT, Book, reasons, trades


def test_a_limit_order_that_does_not_cross_rests_on_the_book() -> None:
    book = Book()
    events = book.buy("b1", "A", 100, 5_990)
    assert [type(e) for e in events] == [OrderAccepted]
    assert book.queue(Side.BUY, 5_990) == [("b1", 100)]
    assert book.book.depth(5) == ([(5_990, 100, 1)], [])


def test_an_incoming_order_trades_best_price_first_at_the_resting_price() -> None:
    book = Book()
    book.sell("s1", "A", 100, 6_010)
    book.sell("s2", "B", 100, 6_000)
    events = book.buy("b1", "C", 150, 6_020)
    assert [(t.price, t.quantity, t.sell_order_id) for t in trades(events)] == [
        (6_000, 100, "s2"),
        (6_010, 50, "s1"),
    ]
    assert book.queue(Side.SELL, 6_010) == [("s1", 50)]
    assert all(t.aggressor is Side.BUY for t in trades(events))


def test_within_a_price_the_oldest_order_trades_first() -> None:
    book = Book()
    book.sell("s1", "A", 30, 6_000)
    book.sell("s2", "B", 30, 6_000)
    book.sell("s3", "C", 30, 6_000)
    events = book.buy("b1", "D", 45, 6_000)
    assert [(t.sell_order_id, t.quantity) for t in trades(events)] == [("s1", 30), ("s2", 15)]
    assert book.queue(Side.SELL, 6_000) == [("s2", 15), ("s3", 30)]


def test_the_remainder_of_a_crossing_limit_order_rests_at_its_limit() -> None:
    book = Book()
    book.sell("s1", "A", 40, 6_000)
    book.buy("b1", "B", 100, 6_005)
    assert book.queue(Side.BUY, 6_005) == [("b1", 60)]
    assert book.book.asks.best() is None


def test_a_trade_carries_both_fees_rounded_down() -> None:
    book = Book(fee_bps=15)
    book.sell("s1", "A", 7, 6_001)
    (trade,) = trades(book.buy("b1", "B", 7, 6_001))
    assert trade.buyer_fee == trade.seller_fee == 42_007 * 15 // 10_000 == 63


def test_market_to_limit_takes_the_best_price_and_rests_there() -> None:
    book = Book()
    book.sell("s1", "A", 50, 6_000)
    book.sell("s2", "A", 50, 6_010)
    events = book.buy("b1", "B", 80, None, order_type=OrderType.MARKET_TO_LIMIT)
    accepted = events[0]
    assert isinstance(accepted, OrderAccepted)
    assert accepted.price == 6_000
    assert [(t.price, t.quantity) for t in trades(events)] == [(6_000, 50)]
    assert book.queue(Side.BUY, 6_000) == [("b1", 30)]
    assert book.queue(Side.SELL, 6_010) == [("s2", 50)]


def test_market_to_limit_without_opposite_orders_is_rejected() -> None:
    book = Book()
    events = book.buy("b1", "B", 10, None, order_type=OrderType.MARKET_TO_LIMIT)
    assert reasons(events) == [Reason.NO_OPPOSITE_ORDERS]


def test_market_to_limit_must_not_name_a_price() -> None:
    book = Book()
    book.sell("s1", "A", 50, 6_000)
    events = book.buy("b1", "B", 10, 6_000, order_type=OrderType.MARKET_TO_LIMIT)
    assert reasons(events) == [Reason.PRICE_NOT_ALLOWED]


def test_an_ioc_order_cancels_what_it_cannot_fill_at_once() -> None:
    book = Book()
    book.sell("s1", "A", 30, 6_000)
    events = book.buy("b1", "B", 100, 6_000, time_in_force=TimeInForce.IOC)
    assert [t.quantity for t in trades(events)] == [30]
    cancelled = events[-1]
    assert isinstance(cancelled, OrderCancelled)
    assert (cancelled.quantity, cancelled.reason) == (70, CancelReason.UNFILLED_REMAINDER)
    assert book.book.bids.best() is None


def test_a_fok_order_that_can_fill_completely_trades_completely() -> None:
    book = Book()
    book.sell("s1", "A", 30, 6_000)
    book.sell("s2", "B", 30, 6_001)
    events = book.buy("b1", "C", 60, 6_001, time_in_force=TimeInForce.FOK)
    assert sum(t.quantity for t in trades(events)) == 60


def test_a_fok_order_that_cannot_fill_completely_is_rejected_without_effect() -> None:
    book = Book()
    book.sell("s1", "A", 30, 6_000)
    book.sell("s2", "B", 30, 6_002)
    events = book.buy("b1", "C", 60, 6_001, time_in_force=TimeInForce.FOK)
    assert reasons(events) == [Reason.FOK_NOT_FILLABLE]
    assert book.queue(Side.SELL, 6_000) == [("s1", 30)]


def test_a_fok_order_does_not_count_its_own_resting_orders() -> None:
    book = Book()
    book.sell("s1", "C", 30, 6_000)
    book.sell("s2", "B", 30, 6_000)
    events = book.buy("b1", "C", 30, 6_000, time_in_force=TimeInForce.FOK)
    assert reasons(events) == [Reason.FOK_NOT_FILLABLE]


def test_a_post_only_order_rests_when_it_does_not_cross() -> None:
    book = Book()
    book.sell("s1", "A", 30, 6_000)
    events = book.buy("b1", "B", 30, 5_999, post_only=True)
    assert isinstance(events[0], OrderAccepted)
    assert events[0].post_only


def test_a_post_only_order_that_would_cross_is_rejected() -> None:
    book = Book()
    book.sell("s1", "A", 30, 6_000)
    events = book.buy("b1", "B", 30, 6_000, post_only=True)
    assert reasons(events) == [Reason.POST_ONLY_WOULD_CROSS]
    assert book.queue(Side.SELL, 6_000) == [("s1", 30)]


def test_post_only_cannot_be_immediate() -> None:
    book = Book()
    events = book.buy("b1", "B", 30, 5_999, post_only=True, time_in_force=TimeInForce.IOC)
    assert reasons(events) == [Reason.INVALID_ORDER_TYPE]


def test_cancel_takes_an_open_order_off_the_book() -> None:
    book = Book()
    book.buy("b1", "A", 30, 5_990)
    (cancelled,) = book.cancel("b1", "A")
    assert isinstance(cancelled, OrderCancelled)
    assert (cancelled.quantity, cancelled.reason) == (30, CancelReason.REQUESTED)
    assert book.book.bids.best() is None


def test_R_T10_cancelling_a_filled_order_is_rejected() -> None:
    book = Book()
    book.sell("s1", "A", 30, 6_000)
    book.buy("b1", "B", 30, 6_000)
    assert reasons(book.cancel("s1", "A")) == [Reason.ORDER_ALREADY_FILLED]
    assert reasons(book.cancel("b1", "B")) == [Reason.ORDER_ALREADY_FILLED]


def test_cancelling_a_cancelled_or_unknown_order_is_rejected() -> None:
    book = Book()
    book.buy("b1", "A", 30, 5_990)
    book.cancel("b1", "A")
    assert reasons(book.cancel("b1", "A")) == [Reason.ORDER_ALREADY_CLOSED]
    assert reasons(book.cancel("nope", "A")) == [Reason.ORDER_NOT_FOUND]


def test_only_the_owner_may_cancel() -> None:
    book = Book()
    book.buy("b1", "A", 30, 5_990)
    assert reasons(book.cancel("b1", "B")) == [Reason.NOT_ORDER_OWNER]


def test_an_order_id_is_used_once_a_day() -> None:
    book = Book()
    book.buy("b1", "A", 30, 5_990)
    book.cancel("b1", "A")
    assert reasons(book.buy("b1", "A", 30, 5_990)) == [Reason.DUPLICATE_ID]


def test_reducing_an_order_keeps_its_place_in_the_queue() -> None:
    book = Book()
    book.sell("s1", "A", 50, 6_000)
    book.sell("s2", "B", 50, 6_000)
    events = book.when(ReduceOrder(INSTRUMENT, "s1", "A", 20, book.clock))
    assert isinstance(events[0], OrderReduced)
    assert book.queue(Side.SELL, 6_000) == [("s1", 20), ("s2", 50)]
    assert [t.sell_order_id for t in trades(book.buy("b1", "C", 10, 6_000))] == ["s1"]


@pytest.mark.parametrize("quantity", [0, 50, 60])
def test_reducing_must_lower_the_quantity_and_leave_some(quantity: int) -> None:
    book = Book()
    book.sell("s1", "A", 50, 6_000)
    events = book.when(ReduceOrder(INSTRUMENT, "s1", "A", quantity, book.clock))
    assert isinstance(events[0], OrderRejected)
    assert book.queue(Side.SELL, 6_000) == [("s1", 50)]


def test_replacing_an_order_sends_it_to_the_back() -> None:
    book = Book()
    book.sell("s1", "A", 50, 6_000)
    book.sell("s2", "B", 50, 6_000)
    events = book.when(ReplaceOrder(INSTRUMENT, "s1", "A", 6_000, 40, book.clock))
    assert isinstance(events[0], OrderReplaced)
    assert book.queue(Side.SELL, 6_000) == [("s2", 50), ("s1", 40)]


def test_a_replaced_order_that_now_crosses_trades_at_once() -> None:
    book = Book()
    book.sell("s1", "A", 50, 6_000)
    book.buy("b1", "B", 50, 5_990)
    events = book.when(ReplaceOrder(INSTRUMENT, "b1", "B", 6_000, 30, book.clock))
    assert [(t.price, t.quantity) for t in trades(events)] == [(6_000, 30)]
    assert reasons(book.cancel("b1", "B")) == [Reason.ORDER_ALREADY_FILLED]


def test_a_post_only_order_cannot_be_replaced_across_the_spread() -> None:
    book = Book()
    book.sell("s1", "A", 50, 6_000)
    book.buy("b1", "B", 50, 5_990, post_only=True)
    events = book.when(ReplaceOrder(INSTRUMENT, "b1", "B", 6_000, 50, book.clock))
    assert reasons(events) == [Reason.POST_ONLY_WOULD_CROSS]
    assert book.queue(Side.BUY, 5_990) == [("b1", 50)]


def test_self_trade_prevention_cancel_newest_cancels_the_incoming_order() -> None:
    book = Book(self_trade_prevention=SelfTradePrevention.CANCEL_NEWEST)
    book.sell("s1", "B", 20, 6_000)
    book.sell("s2", "A", 20, 6_000)
    book.sell("s3", "C", 20, 6_000)
    events = book.buy("b1", "A", 50, 6_000)
    assert [t.sell_order_id for t in trades(events)] == ["s1"]
    cancelled = [e for e in events if isinstance(e, OrderCancelled)]
    assert [(c.order_id, c.quantity, c.reason) for c in cancelled] == [
        ("b1", 30, CancelReason.SELF_TRADE_PREVENTED)
    ]
    assert book.queue(Side.SELL, 6_000) == [("s2", 20), ("s3", 20)]
    assert book.book.bids.best() is None


def test_self_trade_prevention_cancel_oldest_cancels_the_resting_order() -> None:
    book = Book(self_trade_prevention=SelfTradePrevention.CANCEL_OLDEST)
    book.sell("s1", "A", 20, 6_000)
    book.sell("s2", "B", 20, 6_000)
    events = book.buy("b1", "A", 30, 6_000)
    cancelled = [e for e in events if isinstance(e, OrderCancelled)]
    assert [(c.order_id, c.reason) for c in cancelled] == [
        ("s1", CancelReason.SELF_TRADE_PREVENTED)
    ]
    assert [t.sell_order_id for t in trades(events)] == ["s2"]
    assert book.queue(Side.BUY, 6_000) == [("b1", 10)]


def test_self_trade_prevention_cancel_both_cancels_both() -> None:
    book = Book(self_trade_prevention=SelfTradePrevention.CANCEL_BOTH)
    book.sell("s1", "A", 20, 6_000)
    book.sell("s2", "B", 20, 6_000)
    events = book.buy("b1", "A", 30, 6_000)
    cancelled = [e.order_id for e in events if isinstance(e, OrderCancelled)]
    assert cancelled == ["s1", "b1"]
    assert not trades(events)
    assert book.queue(Side.SELL, 6_000) == [("s2", 20)]


def test_an_order_may_choose_its_own_self_trade_prevention() -> None:
    book = Book(self_trade_prevention=SelfTradePrevention.CANCEL_NEWEST)
    book.sell("s1", "A", 20, 6_000)
    book.sell("s2", "B", 20, 6_000)
    events = book.buy("b1", "A", 20, 6_000, self_trade_prevention=SelfTradePrevention.CANCEL_OLDEST)
    assert [t.sell_order_id for t in trades(events)] == ["s2"]


@pytest.mark.parametrize(
    ("quantity", "price", "reason"),
    [
        (0, 6_000, Reason.QUANTITY_NOT_POSITIVE),
        (-5, 6_000, Reason.QUANTITY_NOT_POSITIVE),
        (10, 0, Reason.PRICE_NOT_POSITIVE),
        (10, None, Reason.PRICE_REQUIRED),
    ],
)
def test_the_book_rejects_what_it_cannot_hold(
    quantity: int, price: int | None, reason: str
) -> None:
    book = Book()
    assert reasons(book.buy("b1", "A", quantity, price)) == [reason]


def test_expiry_takes_every_open_order_off_oldest_first() -> None:
    book = Book()
    book.sell("s1", "A", 20, 6_010)
    book.buy("b1", "B", 20, 5_990)
    book.sell("s2", "C", 20, 6_000)
    expired = book.book.expire_all(book.clock)
    assert [(e.order_id, e.quantity) for e in expired] == [("s1", 20), ("b1", 20), ("s2", 20)]
    for event in expired:
        book.book.evolve(event)
    book.book.validate_internal_state()
    assert book.book.depth(5) == ([], [])
