"""The SDK and the ``cqx`` command line against the MatchingService contract (a stand-in
server: see fake_matching.py): requests carry what the user typed, answers are shown."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from cqx.matching.v1 import events_pb2 as ev

from cqx_sdk import Addresses, CqxApiError, CqxClient, Side, TimeInForce
from cqx_sdk.cli import run
from tests.component.sdk.fake_matching import FakeMatching, fake_matching

Cqx = Callable[..., Awaitable[tuple[int, str, str]]]


@pytest.fixture
async def exchange() -> AsyncIterator[tuple[FakeMatching, str]]:
    async with fake_matching() as running:
        yield running


@pytest.fixture
def cqx(exchange: tuple[FakeMatching, str], capsys: pytest.CaptureFixture[str]) -> Cqx:
    """``await cqx("book", "CEA-2024")`` → (exit code, stdout, stderr)."""

    async def invoke(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await run(argv, environ={"CQX_MATCHING_ADDRESS": exchange[1]})
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


async def test_an_order_is_placed_in_fen_and_tonnes_and_its_fills_shown(
    cqx: Cqx, exchange: tuple[FakeMatching, str]
) -> None:
    code, out, err = await cqx(
        "order",
        "place",
        "--account",
        "shanxi-001",
        "--side",
        "buy",
        "--instrument",
        "CEA-2024",
        "--price",
        "74.50",
        "--quantity",
        "1000",
        "--ioc",
        "--request-id",
        "order-1",
    )
    assert (code, err) == (0, "")
    placed = exchange[0].placed[-1]
    assert (
        placed.request_id,
        placed.account_id,
        placed.side,
        placed.price_fen,
        placed.quantity_tonnes,
        placed.time_in_force,
    ) == ("order-1", "shanxi-001", ev.SIDE_BUY, 7450, 1000, ev.TIME_IN_FORCE_IOC)
    assert out.splitlines()[0] == (
        "order o-1: buy 1,000 t CEA-2024 at 74.50 (limit ioc, continuous) — partially-filled, "
        "filled 100 t, remaining 900 t"
    )
    assert "CEA-2024-1  74.60    100  7.46 CNY" in out


async def test_a_rule_the_order_breaks_is_one_line_with_its_reason(cqx: Cqx) -> None:
    code, out, err = await cqx(
        "order",
        "place",
        "--account",
        "a-1",
        "--side",
        "sell",
        "--instrument",
        "CEA-2024",
        "--price",
        "90.00",
        "--quantity",
        "10",
    )
    assert (code, out) == (1, "")
    assert err == (
        "error: PRICE_OUTSIDE_BAND: the price is outside today's band 67.17–82.09 "
        "(lower_fen=6717, upper_fen=8209)\n"
    )


async def test_a_bad_price_never_reaches_the_exchange(
    cqx: Cqx, exchange: tuple[FakeMatching, str]
) -> None:
    code, _, err = await cqx(
        "order",
        "place",
        "--account",
        "a-1",
        "--side",
        "buy",
        "--instrument",
        "CEA-2024",
        "--price",
        "74.631",
        "--quantity",
        "10",
    )
    assert code == 2
    assert "price '74.631' has more than 2 decimal places" in err
    code, _, err = await cqx(
        "order",
        "place",
        "--account",
        "a-1",
        "--side",
        "buy",
        "--instrument",
        "CEA-2024",
        "--quantity",
        "10",
    )
    assert code == 2
    assert "give either --price or --market" in err
    assert exchange[0].placed == []


async def test_orders_are_listed_and_cancelled(cqx: Cqx) -> None:
    for price in ("74.50", "74.40"):
        await cqx(
            "order",
            "place",
            "--account",
            "a-2",
            "--side",
            "buy",
            "--instrument",
            "CEA-2024",
            "--price",
            price,
            "--quantity",
            "500",
        )
    code, out, _ = await cqx("orders", "a-2")
    assert [line.split()[:4] for line in out.splitlines()[2:]] == [
        ["o-1", "CEA-2024", "buy", "74.50"],
        ["o-2", "CEA-2024", "buy", "74.40"],
    ]
    code, out, err = await cqx(
        "order", "cancel", "--account", "a-2", "--instrument", "CEA-2025", "o-2"
    )
    assert code == 1
    assert err.startswith("error: INSTRUMENT_MISMATCH: order o-2 is for CEA-2024, not CEA-2025")
    code, out, _ = await cqx(
        "order", "cancel", "--account", "a-2", "--instrument", "CEA-2024", "o-2", "--json"
    )
    assert (json.loads(out)["status"], json.loads(out)["close_reason"]) == (
        "cancelled",
        "REQUESTED",
    )
    code, _, err = await cqx("order", "show", "o-99")
    assert (code, err) == (1, "error: ORDER_NOT_FOUND: no order 'o-99'\n")


async def test_the_book_snapshot_shows_depth_and_the_day(cqx: Cqx) -> None:
    code, out, _ = await cqx("book", "CEA-2024")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "CEA-2024 — continuous book (sequence 5)"
    assert lines[2].split() == ["ORDERS", "BID", "t", "BID", "ASK", "ASK", "t", "ORDERS"]
    assert lines[4].split() == ["3", "1,200", "74.60", "74.70", "800", "2"]
    assert lines[5].split() == ["1", "500", "74.55"]
    assert "VWAP so far 74.75; volume 46,500 t, turnover 3,475,875.00 CNY" in out


async def test_the_live_book_resubscribes_after_a_gap(
    cqx: Cqx, exchange: tuple[FakeMatching, str]
) -> None:
    code, out, _ = await cqx("book", "CEA-2024", "--watch", "--count", "4", "--json")
    assert code == 0
    updates = [json.loads(line) for line in out.splitlines()]
    assert [(u["sequence"], u["kind"]) for u in updates] == [
        (5, "snapshot"),
        (6, "trade"),
        (9, "snapshot"),
        (10, "depth"),
    ]
    assert exchange[0].subscriptions == 2


async def test_recent_trades_are_the_last_ones_of_every_page(cqx: Cqx) -> None:
    code, out, _ = await cqx("trades", "CEA-2024", "--last", "3", "--date", "2025-07-16")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[2:]] == [
        "CEA-2024-28",
        "CEA-2024-29",
        "CEA-2024-30",
    ]


async def test_the_trading_day_is_opened_and_closed(cqx: Cqx) -> None:
    code, out, _ = await cqx(
        "day", "open", "CEA-2024", "--previous-close", "74.63", "--date", "2025-07-16"
    )
    assert out == (
        "CEA-2024 open for 2025-07-16: previous close 74.63, listed band "
        "67.17–82.09, block band 52.25–97.01\n"
    )
    code, out, _ = await cqx("day", "close", "CEA-2024")
    assert code == 0
    assert "close 74.75; volume 46,500 t" in out
    assert "4 open orders expired; the exchange's day is over" in out


async def test_the_risk_balance_shows_free_and_reserved(cqx: Cqx) -> None:
    code, out, _ = await cqx("risk", "a-1")
    assert code == 0
    assert "free cash      1,234.56 CNY" in out
    assert out.splitlines()[-1].split() == ["CEA-2024", "9,000", "1,000", "200"]


async def test_the_sdk_speaks_in_fen_tonnes_and_words(exchange: tuple[FakeMatching, str]) -> None:
    async with CqxClient(Addresses(matching=exchange[1])) as client:
        placed = await client.matching.place_order(
            "a-3", "CEA-2024", Side.SELL, 7463, 300, time_in_force=TimeInForce.FOK
        )
        assert (placed.order.side, placed.order.status, placed.order.time_in_force) == (
            Side.SELL,
            "partially-filled",
            "fok",
        )
        assert [f.trade_id for f in placed.fills] == ["CEA-2024-1"]
        trades = [t async for t in client.matching.list_trades("CEA-2024", page_size=7)]
        assert len(trades) == 30
        with pytest.raises(CqxApiError) as refused:
            await client.matching.cancel_order("a-3", "nope")
        assert (refused.value.code, refused.value.reason) == ("NOT_FOUND", "ORDER_NOT_FOUND")


async def test_executions_are_printed_as_they_arrive(cqx: Cqx) -> None:
    code, out, _ = await cqx("executions", "a-4")
    assert code == 0
    assert out.splitlines() == [
        "CEA-2024-1: sell 100 t CEA-2024 at 74.70, fee 0.37 CNY (order o-1)",
        "CEA-2024-2: sell 200 t CEA-2024 at 74.70, fee 0.74 CNY (order o-1)",
    ]
