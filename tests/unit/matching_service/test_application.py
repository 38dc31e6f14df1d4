"""The exchange application on the in-memory store: what it records, what it refuses, and
that its log rebuilds exactly the exchange it decided."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from cqx.registry.v1 import events_pb2 as registry
from cqx.settlement.v1 import events_pb2 as settlement

from cqx_kernel.errors import (
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    UnavailableError,
)
from cqx_matching.application.app import MatchingApplication
from cqx_matching.application.errors import ExchangeRestartingError, TradingRuleError
from cqx_matching.domain import (
    CancelOrder,
    PlaceOrder,
    PostListing,
    ProposeBlockTrade,
    Side,
    TakeListing,
    TradingMode,
)
from cqx_matching.domain.decisions import DECIDERS
from cqx_service import CallIds
from tests.unit.matching_service.given import CEA, Harness, harness, names

RICH = 10_000_000_000


async def funded(h: Harness, instrument: str = CEA) -> None:
    """Seller and buyer in trading, the instrument open."""
    await h.foreign("registry", moved("seller", instrument, 200_000))
    await h.foreign(
        "settlement", settlement.FundsDeposited(deposit_id="d", account_id="buyer", amount_fen=RICH)
    )
    await h.open(instrument)


def moved(account: str, instrument: str, tonnes: int) -> registry.MovedToTrading:
    """The registry's move of allowances into trading."""
    return registry.MovedToTrading(
        move_id="m", account_id=account, instrument=instrument, quantity_tonnes=tonnes
    )


def order(oid: str, account: str, side: Side, quantity: int, price: int | None) -> PlaceOrder:
    """A continuous-book order (the application stamps its time)."""
    return PlaceOrder(CEA, oid, account, side, quantity, price, 0)


def views(app: MatchingApplication) -> dict[str, Any]:
    """What the read models hold, as plain values."""
    return {
        "orders": {k: [getattr(v, s) for s in v.__slots__] for k, v in app.orders.orders.items()},
        "trades": {k: [(r.trade, r.trading_date) for r in v] for k, v in app.orders.trades.items()},
        "negotiations": dict(app.deals.negotiations),
    }


async def test_the_log_rebuilds_the_exchange_and_its_read_models_exactly() -> None:
    async with harness() as h:
        await funded(h)
        await h.trade(order("s1", "seller", Side.SELL, 300, 6_000))
        await h.trade(order("b1", "buyer", Side.BUY, 100, 6_100))
        await h.trade(order("s2", "seller", Side.SELL, 50, 6_200))
        with pytest.raises(TradingRuleError):
            await h.trade(order("b2", "buyer", Side.BUY, 10, 9_000))
        await h.trade(PostListing(CEA, "l1", "seller", Side.SELL, 70, 6_050, 0))
        await h.trade(TakeListing(CEA, "t1", "buyer", Side.BUY, 20, 0))
        h.clock.advance(timedelta(hours=3, minutes=30))  # 13:30
        await h.trade(ProposeBlockTrade(CEA, "n1", "seller", Side.SELL, 6_000, 100_000, 0))
        h.clock.advance(timedelta(hours=2))
        closed = (await h.close()).decode().split(",")
        assert closed == [
            *["OrderExpired"] * 3,
            "BlockTradeExpired",
            "DayClosed",
            "TradingDayClosed",
        ]
        h.app.exchange.validate_internal_state()
        rebuilt = await h.new_app()  # rebuilt from the log by the composition root
        assert rebuilt.exchange.snapshot() == h.app.exchange.snapshot()
        assert views(rebuilt) == views(h.app)


async def test_a_rule_rejection_is_recorded_then_raised_with_its_reason() -> None:
    async with harness() as h:
        await funded(h)
        with pytest.raises(FailedPreconditionError) as refused:
            await h.trade(order("b1", "buyer", Side.BUY, 10, 6_601))
        assert refused.value.reason == "PRICE_OUTSIDE_BAND"
        assert refused.value.metadata == {
            "order_id": "b1", "instrument": CEA, "mode": "CONTINUOUS", "price_fen": "6601",
            "band_lower_fen": "5400", "band_upper_fen": "6600", "reference_price_fen": "6000",
        }  # fmt: skip
        assert refused.value.message == (
            "price 66.01 is outside the continuous band 54.00–66.00 CNY (previous close 60.00)"
        )
        assert (await h.recorded())[-1] == "OrderRejected"


async def test_orders_reach_only_instruments_open_today() -> None:
    async with harness() as h:
        await funded(h)
        await h.foreign("registry", moved("seller", "CEA-2025", 10))
        with pytest.raises(FailedPreconditionError) as closed:
            await h.trade(PlaceOrder("CEA-2025", "s1", "seller", Side.SELL, 10, 6_000, 0))
        assert closed.value.reason == "DAY_NOT_OPEN"
        with pytest.raises(NotFoundError) as unknown:
            await h.trade(PlaceOrder("CEA-2030", "s2", "seller", Side.SELL, 10, 6_000, 0))
        assert unknown.value.reason == "UNKNOWN_INSTRUMENT"


async def test_instruments_close_one_by_one_and_the_last_ends_the_exchange_day() -> None:
    async with harness() as h:
        await funded(h)
        await funded(h, "CEA-2025")
        await h.trade(order("s1", "seller", Side.SELL, 100, 6_000))
        await h.trade(order("b1", "buyer", Side.BUY, 100, 6_000))
        h.clock.advance(timedelta(hours=5))
        assert await h.close() == b"DayClosed"
        assert h.app.exchange.day is not None
        assert h.app.exchange.ledger.positions[("buyer", CEA)].pending == 100
        assert await h.close("CEA-2025") == b"DayClosed,TradingDayClosed"
        assert h.app.exchange.ledger.positions[("buyer", CEA)].free == 100  # R-T6
        with pytest.raises(FailedPreconditionError) as again:
            await h.close()
        assert again.value.reason == "DAY_NOT_OPEN"
        with pytest.raises(FailedPreconditionError) as reopened:
            await h.open()
        assert reopened.value.reason == "DAY_ALREADY_CLOSED"


async def test_a_day_left_open_blocks_the_next_one() -> None:
    async with harness() as h:
        await funded(h)
        h.clock.advance(timedelta(days=1))
        with pytest.raises(FailedPreconditionError) as refused:
            await h.open("CEA-2025")
        assert refused.value.reason == "PREVIOUS_DAY_STILL_OPEN"


async def test_a_credit_of_something_that_is_not_an_instrument_is_recorded_as_rejected() -> None:
    async with harness() as h:
        await h.foreign("registry", moved("a", "EUA-2024", 10))
        assert await h.recorded() == ["CommandRejected"]
        assert "EUA-2024" not in h.app.exchange.markets


async def test_an_engine_failure_stops_the_exchange_so_that_it_rebuilds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with harness() as h:
        await funded(h)

        def broken(_: object) -> None:
            raise RuntimeError("a defect")

        monkeypatch.setattr(h.app.exchange, "apply", broken)
        with pytest.raises(ExchangeRestartingError):
            await h.trade(order("s1", "seller", Side.SELL, 10, 6_000))
        assert h.journal.failed.is_set()
        with pytest.raises(UnavailableError) as later:
            await h.trade(CancelOrder(CEA, "s1", "seller", 0))
        assert later.value.reason == "SERVICE_RESTARTING"


async def test_a_defect_before_the_engine_changed_anything_fails_the_call_not_the_exchange(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with harness() as h:
        await funded(h)

        def defect(*_: object) -> None:
            raise OverflowError("a defect in a rule")

        monkeypatch.setitem(DECIDERS, PlaceOrder, defect)
        recorded = await h.recorded()
        with pytest.raises(OverflowError):
            await h.trade(order("s1", "seller", Side.SELL, 10, 6_000))
        assert not h.journal.failed.is_set()
        assert await h.recorded() == recorded
        monkeypatch.undo()
        await h.trade(order("s1", "seller", Side.SELL, 10, 6_000))
        assert (await h.recorded())[-1] == "OrderAccepted"


async def test_a_request_without_an_id_is_refused_before_anything_is_decided() -> None:
    async with harness() as h:
        await funded(h)
        recorded = await h.recorded()
        with pytest.raises(InvalidArgumentError):
            await h.app.trade(
                CallIds("", {}), lambda at: order("s1", "seller", Side.SELL, 10, 6_000), names
            )
        assert await h.recorded() == recorded
        assert h.app.exchange.markets[CEA].book(TradingMode.CONTINUOUS).open_count() == 0
