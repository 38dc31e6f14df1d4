"""The live feed releases only committed changes, strictly in decision order."""

from __future__ import annotations

import pytest

from cqx_kernel.calendar import AroundTheClockCalendar
from cqx_matching.application import publishing
from cqx_matching.application.publishing import (
    ExecutionReport,
    LiveFeed,
    MarketSnapshot,
    SlowConsumerError,
    Subscription,
)
from cqx_matching.domain import (
    AssignAllowances,
    DepositFunds,
    DepthSnapshot,
    Event,
    Exchange,
    InstrumentConfig,
    MarketDataMessage,
    OpenTradingDay,
    PlaceOrder,
    Side,
)
from tests.unit.matching_service.given import CEA, MONDAY

AT = 1_740_967_200_000_000


def exchange() -> Exchange:
    """CEA-2024 trading around the clock, with a seller and a buyer."""
    ex = Exchange([InstrumentConfig(CEA, 6_000)], AroundTheClockCalendar())
    ex.apply(OpenTradingDay(MONDAY, AT))
    ex.apply(AssignAllowances("seller", CEA, 1_000, AT))
    ex.apply(DepositFunds("buyer", 100_000_000, AT))
    return ex


def order(
    ex: Exchange, oid: str, account: str, side: Side, quantity: int, price: int
) -> list[Event]:
    """Apply an order to the exchange; its events."""
    return [*ex.apply(PlaceOrder(CEA, oid, account, side, quantity, price, AT))]


def drain(subscription: Subscription) -> list[object]:
    """Everything queued for a subscriber."""
    items: list[object] = []
    while not subscription.queue.empty():
        items.append(subscription.queue.get_nowait())
    return items


def test_changes_are_released_in_decision_order_once_committed() -> None:
    ex, feed = exchange(), LiveFeed()
    sub = feed.subscribe_market(ex, CEA)
    (snapshot,) = drain(sub)
    assert isinstance(snapshot, MarketSnapshot)
    first = feed.stage(ex, order(ex, "s1", "seller", Side.SELL, 100, 6_000), MONDAY)
    second = feed.stage(ex, order(ex, "s2", "seller", Side.SELL, 100, 6_010), MONDAY)
    feed.settle(second, committed=True)
    assert drain(sub) == []  # the first is not committed yet
    feed.settle(first, committed=True)
    released = drain(sub)
    assert [m.sequence for m in released if isinstance(m, MarketDataMessage)] == [
        snapshot.sequence + 1, snapshot.sequence + 2,
    ]  # fmt: skip


def test_what_a_failed_commit_decided_is_never_released() -> None:
    ex, feed = exchange(), LiveFeed()
    sub = feed.subscribe_market(ex, CEA)
    drain(sub)
    lost = feed.stage(ex, order(ex, "s1", "seller", Side.SELL, 100, 6_000), MONDAY)
    kept = feed.stage(ex, order(ex, "s2", "seller", Side.SELL, 100, 6_010), MONDAY)
    feed.settle(lost, committed=False)
    feed.settle(kept, committed=True)
    assert len(drain(sub)) == 1


def test_a_snapshot_waits_for_the_commits_of_what_it_contains() -> None:
    ex, feed = exchange(), LiveFeed()
    pending = feed.stage(ex, order(ex, "s1", "seller", Side.SELL, 100, 6_000), MONDAY)
    sub = feed.subscribe_market(ex, CEA)
    assert drain(sub) == []
    feed.settle(pending, committed=True)
    (snapshot,) = drain(sub)
    assert isinstance(snapshot, MarketSnapshot)
    continuous = snapshot.payloads[0]
    assert isinstance(continuous, DepthSnapshot)
    assert [(x.price, x.quantity) for x in continuous.asks] == [(6_000, 100)]


def test_an_account_gets_only_its_own_fills() -> None:
    ex, feed = exchange(), LiveFeed()
    buyer = feed.subscribe_executions("buyer")
    other = feed.subscribe_executions("someone-else")
    feed.settle(feed.stage(ex, order(ex, "s1", "seller", Side.SELL, 100, 6_000), MONDAY), True)
    feed.settle(feed.stage(ex, order(ex, "b1", "buyer", Side.BUY, 40, 6_000), MONDAY), True)
    (fill,) = drain(buyer)
    assert isinstance(fill, ExecutionReport)
    assert (fill.order_id, fill.side, fill.trade.quantity, fill.fee) == ("b1", Side.BUY, 40, 0)
    assert drain(other) == []
    feed.unsubscribe(buyer)
    assert feed.streams_of("buyer") == 0


async def test_a_subscriber_that_falls_behind_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publishing, "QUEUE_LIMIT", 2)
    ex, feed = exchange(), LiveFeed()
    sub = feed.subscribe_market(ex, CEA)
    for n in range(3):
        feed.settle(feed.stage(ex, order(ex, f"s{n}", "seller", Side.SELL, 1, 6_000), MONDAY), True)
    with pytest.raises(SlowConsumerError):
        await sub.next()
