"""The SDK and the ``cqx`` command line against the real exchange (with registry, allocation
and settlement, which fund its traders): what the user typed reaches it in fen and tonnes, and
its answers and refusals are shown. The module shares one exchange; each test trades an
instrument of its own, between traders of its own. The operator opens and closes days; each
trader's member places and manages the orders of its own account."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from cqx_bus import KafkaAccess
from cqx_local.demo_clients import DemoClients
from cqx_sdk import AccountKind, CqxApiError, CqxClient, Side, TimeInForce
from cqx_sdk.cli import run
from cqx_sdk.dates import SHANGHAI
from tests.component.sdk.support import (
    ThreeServices,
    WednesdayClock,
    eventually,
    four_services,
    fund_traders,
    member_clients,
    open_member_account,
)
from tests.support import pki

Cqx = Callable[..., Awaitable[tuple[int, str, str]]]

TODAY = WednesdayClock.TRADING_DATE
SELLER_TONNES = 10_000
BUYER_CASH_FEN = 100_000_000  # 1,000,000.00 CNY


@dataclass(frozen=True)
class Market:
    """A test's own instrument: a seller with 10,000 t of it in trading and a buyer with
    1,000,000.00 CNY, and clients to act: the operator's, and each trader's member's."""

    clients: DemoClients
    instrument: str
    seller: str
    buyer: str

    @property
    def operator(self) -> CqxClient:
        """The operator's client (it opens the day and reads everything)."""
        return self.clients.operator

    def member(self, account: str) -> CqxClient:
        """The client of ``account``'s member."""
        return self.clients.member(account)

    async def open(self) -> None:
        """Open the instrument today at a previous close of 74.63 (band 67.17–82.09)."""
        await self.operator.matching.open_trading_day(self.instrument, 7463, trading_date=TODAY)

    async def rest(self, account: str, side: Side, price_fen: int, tonnes: int) -> str:
        """``account``'s member places a limit day order; its id."""
        placed = await self.member(account).matching.place_order(
            account, self.instrument, side, price_fen, tonnes
        )
        return placed.order.order_id

    async def trade(self, count: int, price_fen: int = 7463) -> None:
        """``count`` trades of 10 t at ``price_fen``, each bought by the buyer from one
        resting sell order of the seller."""
        await self.rest(self.seller, Side.SELL, price_fen, 10 * count)
        for _ in range(count):
            await self.member(self.buyer).matching.place_order(
                self.buyer, self.instrument, Side.BUY, price_fen, 10, time_in_force=TimeInForce.IOC
            )

    def place(self, account: str, side: str, price: str, tonnes: str, *more: str) -> list[str]:
        """The argv of ``cqx order place`` for this instrument."""
        return [
            "order", "place", "--account", account, "--side", side,
            "--instrument", self.instrument, "--price", price, "--quantity", tonnes, *more,
        ]  # fmt: skip


@pytest.fixture(scope="module")
async def exchange(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[ThreeServices]:
    """The four services, for the module."""
    async with four_services(database_url, kafka_admin, f"t_{secrets.token_hex(4)}") as s:
        yield s


@pytest.fixture
async def clients(exchange: ThreeServices) -> AsyncIterator[DemoClients]:
    """SDK clients of the module's services: the operator's and the members'."""
    async with member_clients(exchange.addresses) as c:
        yield c


@pytest.fixture(scope="module")
def years() -> Iterator[int]:
    """Compliance years the module's exchange has not traded yet: one per test."""
    return itertools.count(2030)


async def new_market(exchange: ThreeServices, clients: DemoClients, year: int) -> Market:
    """CEA-``year``, with its traders funded (not open yet)."""
    market = Market(clients, f"CEA-{year}", f"seller-{year}", f"buyer-{year}")
    await fund_traders(
        exchange.addresses,
        allowances={market.seller: SELLER_TONNES},
        cash={market.buyer: BUYER_CASH_FEN},
        year=year,
    )
    return market


@pytest.fixture
async def market(exchange: ThreeServices, clients: DemoClients, years: Iterator[int]) -> Market:
    """A fresh instrument, open today."""
    fresh = await new_market(exchange, clients, next(years))
    await fresh.open()
    return fresh


def command_line(services: ThreeServices, capsys: pytest.CaptureFixture[str]) -> Cqx:
    """``await cqx("book", "CEA-2030")`` → (exit code, stdout, stderr), as the operator;
    ``await cqx(..., as_=account)`` as ``account``'s member."""

    async def invoke(*argv: str, as_: str = pki.OPERATOR) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await run(argv, environ=services.environ(as_))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture
def cqx(exchange: ThreeServices, capsys: pytest.CaptureFixture[str]) -> Cqx:
    """The command line of the module's services."""
    return command_line(exchange, capsys)


def order_id_of(out: str) -> str:
    """The id in ``order <id>: ...``."""
    return out.split()[1].rstrip(":")


async def test_an_order_is_placed_in_fen_and_tonnes_and_its_fills_shown(
    market: Market, cqx: Cqx
) -> None:
    m, cea = market, market.instrument
    for price_fen, tonnes in ((7440, 400), (7450, 1_000), (7451, 500)):
        await m.rest(m.seller, Side.SELL, price_fen, tonnes)
    argv = m.place(m.buyer, "buy", "74.50", "1000", "--ioc", "--request-id", f"order-{cea}")
    code, out, err = await cqx(*argv, as_=m.buyer)
    assert (code, err) == (0, "")
    head, _, _, *fills = out.splitlines()
    assert head == (
        f"order {order_id_of(out)}: buy 1,000 t {cea} at 74.50 (limit ioc, continuous) — "
        "filled, filled 1,000 t, remaining 0 t"
    )
    # Best price first; each side pays 5 bp of the notional, rounded down to the fen.
    assert [f.split() for f in fills] == [
        [f"{cea}-1", "74.40", "400", "14.88", "CNY"],
        [f"{cea}-2", "74.50", "600", "22.35", "CNY"],
    ]
    # Exactly 1,000 t at 74.50 at most: 400 t left at 74.50, 74.51 untouched.
    book = await m.operator.matching.order_book(cea)
    assert [(a.price_fen, a.quantity_tonnes) for a in book.book.asks] == [(7450, 400), (7451, 500)]
    # The same request id again: the first answer, nothing traded twice.
    assert await cqx(*argv, as_=m.buyer) == (0, out, "")
    assert await m.operator.matching.order_book(cea) == book


async def test_a_rule_the_order_breaks_is_one_line_with_its_reason(
    market: Market, cqx: Cqx
) -> None:
    m, cea = market, market.instrument
    code, out, err = await cqx(*m.place(m.seller, "sell", "95.00", "10"), as_=m.seller)
    assert (code, out) == (1, "")
    assert err.startswith(
        "error: PRICE_OUTSIDE_BAND: price 95.00 is outside the continuous band 67.17–82.09 CNY "
        "(previous close 74.63) (band_lower_fen=6717, band_upper_fen=8209, "
        f"instrument={cea}, mode=CONTINUOUS, order_id="
    )
    assert err.endswith(", price_fen=9500, reference_price_fen=7463)\n")
    assert err.count("\n") == 1
    # 20,000 t at 74.00 is 1,480,000.00 CNY (+ 5 bp fee): more than the buyer's own cash.
    code, out, err = await cqx(*m.place(m.buyer, "buy", "74.00", "20000"), as_=m.buyer)
    assert (code, out) == (1, "")
    assert err.startswith(
        f"error: INSUFFICIENT_FUNDS: account {m.buyer} has 1,000,000.00 CNY free; this needs "
        f"1,480,740.00 CNY (account_id={m.buyer}, free_funds_fen=100000000, instrument={cea}, "
        "order_id="
    )
    assert err.endswith(", required_funds_fen=148074000)\n")
    # 10,000,000 t is over the limit both books share; the reason names no other book.
    code, out, err = await cqx(*m.place(m.buyer, "buy", "74.00", "10000000"), as_=m.buyer)
    assert (code, out) == (1, "")
    assert err.startswith(
        "error: QUANTITY_TOO_LARGE: 10,000,000 t is too large for a continuous order: it must "
        "be under 100,000 t (at most 99,999 t) (instrument="
    )
    assert "max_quantity_tonnes=99999, mode=CONTINUOUS" in err
    assert "quantity_limit_tonnes=100000, quantity_tonnes=10000000)" in err
    # An account the exchange never had funds or allowances of is named, not "short".
    idle = f"idle-{m.buyer}"
    await open_member_account(m.operator, idle, AccountKind.INSTITUTION)

    async def idle_is_its_members() -> bool:  # the registry's AccountOpened reached it
        try:
            await m.member(idle).matching.risk_balance(idle)
        except CqxApiError as error:
            return error.reason != "NOT_YOUR_ACCOUNT"
        return True

    await eventually(idle_is_its_members)
    code, out, err = await cqx(*m.place(idle, "buy", "74.00", "10"), as_=idle)
    assert (code, out) == (1, "")
    assert err.startswith(
        f"error: ACCOUNT_NOT_FOUND: account {idle} is not known to the exchange: no "
        f"funds deposited and no allowances moved into trading (account_id={idle}, "
    )
    # Refused orders hold nothing back.
    seller, buyer = [await m.operator.matching.risk_balance(a) for a in (m.seller, m.buyer)]
    assert (seller.of(cea).free_tonnes, seller.of(cea).reserved_tonnes) == (SELLER_TONNES, 0)
    assert (buyer.free_cash_fen, buyer.reserved_cash_fen) == (BUYER_CASH_FEN, 0)


async def test_a_member_is_refused_an_order_on_another_participants_account(
    market: Market, cqx: Cqx
) -> None:
    m = market
    code, out, err = await cqx("--as", m.buyer, *m.place(m.seller, "sell", "74.63", "10"))
    assert (code, out) == (1, "")
    assert err.startswith(f"error: NOT_YOUR_ACCOUNT: account_id '{m.seller}' is not an account ")
    assert f"participant={m.buyer}" in err
    # Nothing was recorded: no order of the seller's, none of its allowances held back.
    _, out, _ = await cqx("orders", m.seller)
    assert out.splitlines()[-1] == "(no orders)"
    risk = (await m.operator.matching.risk_balance(m.seller)).of(m.instrument)
    assert (risk.free_tonnes, risk.reserved_tonnes) == (SELLER_TONNES, 0)


async def test_a_bad_price_never_reaches_the_exchange(market: Market, cqx: Cqx) -> None:
    m = market
    code, _, err = await cqx(*m.place(m.buyer, "buy", "74.631", "10"), as_=m.buyer)
    assert code == 2
    assert "price '74.631' has more than 2 decimal places" in err
    code, _, err = await cqx(
        "order", "place", "--account", m.buyer, "--side", "buy", "--instrument", m.instrument,
        "--quantity", "10", as_=m.buyer,
    )  # fmt: skip
    assert code == 2
    assert "give either --price or --market" in err
    # Either would have been accepted (74.63 is in the band, the buyer can pay): none was sent.
    code, out, _ = await cqx("orders", m.buyer, as_=m.buyer)
    assert (code, out.splitlines()[-1]) == (0, "(no orders)")
    assert (await m.operator.matching.risk_balance(m.buyer)).reserved_cash_fen == 0


async def test_orders_are_listed_and_cancelled(market: Market, cqx: Cqx) -> None:
    m, cea = market, market.instrument
    placed = [
        await cqx(*m.place(m.buyer, "buy", price, "500"), as_=m.buyer)
        for price in ("74.50", "74.40")
    ]
    first, second = (order_id_of(out) for _, out, _ in placed)
    code, out, _ = await cqx("orders", m.buyer, as_=m.buyer)
    assert [line.split()[:5] for line in out.splitlines()[2:]] == [
        [first, cea, "buy", "74.50", "500"],
        [second, cea, "buy", "74.40", "500"],
    ]
    code, out, err = await cqx(
        "order", "cancel", "--account", m.buyer, "--instrument", "CEA-2025", second, as_=m.buyer
    )
    assert (code, out) == (1, "")
    assert err == (
        f"error: INSTRUMENT_MISMATCH: order {second} is for {cea}, not CEA-2025; "
        "nothing cancelled\n"
    )
    code, out, _ = await cqx(
        "order", "cancel", "--account", m.buyer, "--instrument", cea, second, "--json", as_=m.buyer
    )
    cancelled = json.loads(out)
    assert (cancelled["order_id"], cancelled["status"], cancelled["close_reason"]) == (
        second,
        "cancelled",
        "REQUESTED",
    )
    _, out, _ = await cqx("orders", m.buyer, "--open", "--json", as_=m.buyer)
    assert [o["order_id"] for o in json.loads(out)] == [first]
    # Partly filled, then cancelled: the answer says how much was cancelled.
    await m.rest(m.seller, Side.SELL, 7450, 120)
    code, out, err = await cqx("order", "cancel", "--account", m.buyer, first, as_=m.buyer)
    assert (code, err) == (0, "")
    said, line = out.splitlines()
    assert said == f"cancelled 380 t of order {first} (120 t had filled)"
    assert line.endswith("filled 120 t, remaining 0 t, cancelled 380 t")
    shown = json.loads((await cqx("order", "show", first, "--json", as_=m.buyer))[1])
    assert (shown["filled_t"], shown["cancelled_t"]) == (120, 380)
    code, _, err = await cqx("order", "show", "o-99")  # the operator reads any order
    assert (code, err) == (1, "error: ORDER_NOT_FOUND: no order o-99 (order_id=o-99)\n")


async def test_the_book_snapshot_shows_depth_and_the_day(market: Market, cqx: Cqx) -> None:
    m, cea = market, market.instrument
    await m.trade(1, 7470)
    await m.trade(1, 7480)
    for price_fen, tonnes in ((7460, 500), (7460, 400), (7460, 300), (7455, 500)):
        await m.rest(m.buyer, Side.BUY, price_fen, tonnes)
    for tonnes in (300, 500):
        await m.rest(m.seller, Side.SELL, 7470, tonnes)
    code, out, _ = await cqx("book", cea)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"{cea} — continuous book (sequence ")
    assert lines[2].split() == ["ORDERS", "BID", "t", "BID", "ASK", "ASK", "t", "ORDERS"]
    assert lines[4].split() == ["3", "1,200", "74.60", "74.70", "800", "2"]
    assert lines[5].split() == ["1", "500", "74.55"]
    assert lines[7] == (
        "2025-07-16: open 74.70 high 74.80 low 74.70 VWAP so far 74.75; volume 20 t, "
        "turnover 1,495.00 CNY"
    )


async def test_the_live_book_shows_each_change_in_sequence(
    market: Market, exchange: ThreeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    m, cea = market, market.instrument
    capsys.readouterr()
    argv = ["book", cea, "--watch", "--count", "5", "--json"]
    watching = asyncio.create_task(run(argv, environ=exchange.environ()))
    try:
        shown = ""

        async def snapshot_shown() -> bool:
            nonlocal shown
            shown += capsys.readouterr().out
            return bool(shown)

        await eventually(snapshot_shown)
        await m.rest(m.seller, Side.SELL, 7470, 300)
        await m.rest(m.buyer, Side.BUY, 7470, 100)
        assert await asyncio.wait_for(watching, 20) == 0
    finally:
        watching.cancel()
    updates = [json.loads(line) for line in (shown + capsys.readouterr().out).splitlines()]
    assert [u["kind"] for u in updates] == ["snapshot", "depth", "trade", "depth", "statistics"]
    first = updates[0]["sequence"]
    assert [u["sequence"] for u in updates] == list(range(first, first + 5))
    assert updates[0]["snapshot"]["continuous"]["asks"] == []
    trade_print = updates[2]["trade"]
    assert (trade_print["trade_id"], trade_print["price_fen"], trade_print["quantity_t"]) == (
        f"{cea}-1",
        7470,
        100,
    )
    assert updates[3]["depth"]["asks"] == [
        {"price_fen": 7470, "price_cny": "74.70", "quantity_t": 200, "order_count": 1}
    ]
    assert updates[4]["statistics"]["volume_t"] == 100


async def test_recent_trades_are_the_last_of_the_day_oldest_first(market: Market, cqx: Cqx) -> None:
    m, cea = market, market.instrument
    await m.trade(5)
    code, out, _ = await cqx("trades", cea, "--last", "3", "--date", TODAY)
    assert code == 0
    assert [line.split() for line in out.splitlines()[2:]] == [
        [f"{cea}-{n}", "continuous", "74.63", "10", m.buyer, m.seller, "buy"] for n in (3, 4, 5)
    ]
    code, out, _ = await cqx("trades", cea, "--date", "2025-07-15")
    assert (code, out.splitlines()[-1]) == (0, "(no trades)")


async def test_the_risk_balance_shows_free_and_reserved(market: Market, cqx: Cqx) -> None:
    m, cea = market, market.instrument
    await m.rest(m.seller, Side.SELL, 7460, 500)
    await m.rest(m.buyer, Side.BUY, 7460, 100)  # bought at once
    await m.rest(m.buyer, Side.BUY, 7450, 500)  # rests
    code, out, _ = await cqx("risk", m.buyer, as_=m.buyer)
    assert code == 0
    # 1,000,000.00 − 100 t × 74.60 − 3.73 fee − 500 t × 74.50 − 18.62 fee held back
    assert "free cash      955,267.65 CNY" in out
    assert "reserved cash  37,268.62 CNY" in out
    assert out.splitlines()[-1].split() == [cea, "0", "0", "100"]
    code, out, _ = await cqx("risk", m.seller, as_=m.seller)
    assert "free cash      7,456.27 CNY" in out  # 100 t × 74.60 − 3.73 fee
    assert out.splitlines()[-1].split() == [cea, "9,500", "400", "0"]
    code, _, err = await cqx("risk", "nobody-here")  # the operator may ask of any account
    assert code == 1
    assert err.startswith("error: ACCOUNT_NOT_FOUND: ")


async def test_the_sdk_speaks_in_fen_tonnes_and_words(market: Market) -> None:
    m, cea, matching = market, market.instrument, market.member(market.seller).matching
    await m.rest(m.buyer, Side.BUY, 7463, 300)
    placed = await matching.place_order(
        m.seller, cea, Side.SELL, 7463, 300, time_in_force=TimeInForce.FOK
    )
    assert (placed.order.side, placed.order.status, placed.order.time_in_force) == (
        Side.SELL,
        "filled",
        "fok",
    )
    assert [(f.trade_id, f.price_fen, f.quantity_tonnes) for f in placed.fills] == [
        (f"{cea}-1", 7463, 300)
    ]
    with pytest.raises(CqxApiError) as unfillable:
        await matching.place_order(
            m.seller, cea, Side.SELL, 7463, 300, time_in_force=TimeInForce.FOK
        )
    assert (unfillable.value.code, unfillable.value.reason) == (
        "FAILED_PRECONDITION",
        "FOK_NOT_FILLABLE",
    )
    await m.trade(9)
    trades = [t async for t in m.operator.matching.list_trades(cea, page_size=7)]
    assert [t.trade_id for t in trades] == [f"{cea}-{n}" for n in range(1, 11)]
    # An order the seller's member does not have is not its own, whether or not it exists.
    with pytest.raises(CqxApiError) as refused:
        await matching.cancel_order(m.seller, "nope")
    assert (refused.value.code, refused.value.reason) == ("PERMISSION_DENIED", "NOT_YOURS")


async def test_executions_are_printed_as_they_arrive(
    market: Market, exchange: ThreeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    m, cea = market, market.instrument
    ask = await m.rest(m.seller, Side.SELL, 7470, 300)
    capsys.readouterr()
    argv = ["executions", m.seller, "--count", "2"]
    watching = asyncio.create_task(run(argv, environ=exchange.environ(m.seller)))

    async def subscribed() -> bool:
        return exchange.execution_streams(m.seller) == 1

    try:
        await eventually(subscribed)
        for tonnes in (100, 200):
            await m.rest(m.buyer, Side.BUY, 7470, tonnes)
        assert await asyncio.wait_for(watching, 20) == 0
    finally:
        watching.cancel()
    assert capsys.readouterr().out.splitlines() == [
        f"{cea}-1: sell 100 t {cea} at 74.70, fee 3.73 CNY (order {ask})",
        f"{cea}-2: sell 200 t {cea} at 74.70, fee 7.47 CNY (order {ask})",
    ]


@pytest.fixture
async def own_exchange(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[ThreeServices]:
    """Four services of its own, for a test that ends the exchange's day."""
    async with four_services(database_url, kafka_admin, f"t_{secrets.token_hex(4)}") as s:
        yield s


async def test_the_trading_day_is_opened_and_closed(
    own_exchange: ThreeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    cqx = command_line(own_exchange, capsys)
    async with member_clients(own_exchange.addresses) as clients:
        m = await new_market(own_exchange, clients, 2030)
        cea = m.instrument
        opening = ("day", "open", cea, "--previous-close", "74.63", "--date", TODAY)
        assert await cqx(*opening) == (
            0,
            f"{cea} open for 2025-07-16: previous close 74.63, listed band "
            "67.17–82.09, block band 52.25–97.01\n",
            "",
        )
        code, _, err = await cqx(*opening)
        assert code == 1
        assert err.startswith("error: DAY_ALREADY_OPEN: ")
        await m.trade(1, 7475)
        for account, side, price_fen in ((m.buyer, Side.BUY, 7450), (m.seller, Side.SELL, 7490)):
            for tonnes in (100, 200):
                await m.rest(account, side, price_fen, tonnes)
    code, out, _ = await cqx("day", "close", cea)
    assert (code, out) == (
        0,
        f"{cea} closed: 2025-07-16: open 74.75 high 74.75 low 74.75 close 74.75; volume "
        "10 t, turnover 747.50 CNY; 4 open orders expired; the exchange's day is over\n",
    )
    _, out, _ = await cqx("--json", "day", "show", cea)
    shown = json.loads(out)
    assert (shown["day_status"], shown["reference_price_fen"]) == ("closed", 7475)
    assert (shown["statistics"]["volume_t"], shown["statistics"]["final"]) == (10, True)
    _, out, _ = await cqx("orders", m.buyer, "--open", as_=m.buyer)
    assert out.splitlines()[-1] == "(no orders)"
    # R-T6: the exchange's day is over, so what the buyer bought today is free to sell.
    _, out, _ = await cqx("risk", m.buyer, as_=m.buyer)
    assert out.splitlines()[-1].split() == [cea, "10", "0", "0"]


async def deal_market(exchange: ThreeServices, clients: DemoClients, year: int) -> Market:
    """CEA-``year`` open today, its seller holding 200,000 t in trading and its buyer
    20,000,000.00 CNY: enough for block deals."""
    market = Market(clients, f"CEA-{year}", f"bseller-{year}", f"bbuyer-{year}")
    await fund_traders(
        exchange.addresses,
        allowances={market.seller: 200_000},
        cash={market.buyer: 2_000_000_000},
        year=year,
    )
    await market.open()
    return market


def word_after(out: str, marker: str) -> str:
    """The word after ``marker`` in ``out`` (an id in ``block deal <id>:``), colon stripped."""
    return out.split(marker, 1)[1].split()[0].rstrip(":")


async def test_r_t3_a_block_deal_is_proposed_countered_and_accepted_on_the_command_line(
    exchange: ThreeServices, clients: DemoClients, years: Iterator[int], cqx: Cqx
) -> None:
    m = await deal_market(exchange, clients, next(years))
    cea = m.instrument
    propose = (
        "block", "propose", "--account", m.seller, "--side", "sell", "--instrument", cea,
        "--price", "70.00", "--counterparty", m.buyer,
    )  # fmt: skip
    code, _, err = await cqx(*propose, "--quantity", "99999", as_=m.seller)
    assert code == 1
    assert err.startswith("error: BLOCK_QUANTITY_TOO_SMALL: ")
    code, out, _ = await cqx(*propose, "--quantity", "100000", as_=m.seller)
    assert code == 0
    deal = word_after(out, "block deal ")
    assert out == (
        f"block deal {deal}: {m.seller} sells 100,000 t {cea} at 70.00 (to {m.buyer}) — open, "
        f"terms confirmed by {m.seller}\n"
    )
    terms = ("--price", "69.50", "--quantity", "100000", deal)
    code, out, _ = await cqx("block", "counter", "--account", m.buyer, *terms, as_=m.buyer)
    assert code == 0
    assert out.endswith(f"at 69.50 (to {m.buyer}) — open, terms confirmed by {m.buyer}\n")
    # The seller cannot accept its own old terms: the buyer's counter replaced them.
    stale = ("--price", "70.00", "--quantity", "100000", deal)
    code, _, err = await cqx("block", "accept", "--account", m.seller, *stale, as_=m.seller)
    assert code == 1
    assert err.startswith("error: TERMS_MISMATCH: ")
    code, out, _ = await cqx("block", "accept", "--account", m.seller, *terms, as_=m.seller)
    assert code == 0
    first, *_, row = out.splitlines()
    assert first.startswith(f"block deal {deal}: {m.seller} sells 100,000 t {cea} at 69.50")
    assert " — agreed, trade " in first
    assert row.split()[1:6] == ["block", "69.50", "100,000", m.buyer, m.seller]
    _, out, _ = await cqx("--json", "block", "show", deal)
    shown = json.loads(out)
    assert (shown["status"], shown["price_fen"], shown["quantity_t"]) == (
        "agreed", 6_950, 100_000,
    )  # fmt: skip
    code, _, err = await cqx("block", "withdraw", "--account", m.buyer, deal, as_=m.buyer)
    assert code == 1
    assert err.startswith("error: ")
    # The deal moved the allowances and the money at the exchange.
    risk = await m.operator.matching.risk_balance(m.buyer)
    assert risk.of(cea).pending_tonnes == 100_000  # R-T6: sellable from tomorrow


async def test_r_t3_a_quote_is_withdrawn_before_anyone_accepts(
    exchange: ThreeServices, clients: DemoClients, years: Iterator[int], cqx: Cqx
) -> None:
    m = await deal_market(exchange, clients, next(years))
    code, out, _ = await cqx(
        "block", "propose", "--account", m.buyer, "--side", "buy", "--instrument",
        m.instrument, "--price", "71.00", "--quantity", "150000", as_=m.buyer,
    )  # fmt: skip
    assert code == 0
    assert "(from anyone) — open" in out
    deal = word_after(out, "block deal ")
    reserved = await m.operator.matching.risk_balance(m.buyer)
    assert reserved.reserved_cash_fen > 0
    code, out, _ = await cqx("block", "withdraw", "--account", m.buyer, deal, as_=m.buyer)
    assert code == 0
    assert out.endswith(f"— withdrawn, withdrawn by {m.buyer}\n")
    released = await m.operator.matching.risk_balance(m.buyer)
    assert released.reserved_cash_fen == 0


async def test_r_t11_a_bidding_is_announced_bid_on_and_closed_on_the_command_line(
    exchange: ThreeServices, clients: DemoClients, years: Iterator[int], cqx: Cqx
) -> None:
    m = await deal_market(exchange, clients, next(years))
    assert exchange.exchange is not None
    now_us = exchange.exchange.now()
    start = datetime.fromtimestamp(now_us // 1_000_000, SHANGHAI)
    end = start + timedelta(seconds=8)  # room for the calls below on a loaded machine
    code, out, _ = await cqx(
        "bidding", "announce", "--account", m.seller, "--side", "sell", "--instrument",
        m.instrument, "--quantity", "1000", "--reserve", "70.00", "--date", TODAY,
        "--start", start.strftime("%H:%M:%S"), "--end", end.strftime("%H:%M:%S"),
        "--eligible", m.buyer, as_=m.seller,
    )  # fmt: skip
    assert code == 0, out
    auction = word_after(out, "bidding ")
    assert out.endswith(f"from {m.buyer} — open, 0 bid(s)\n")
    assert (await m.operator.matching.risk_balance(m.seller)).of(
        m.instrument
    ).reserved_tonnes == 1000
    code, _, err = await cqx(
        "bidding",
        "bid",
        "--account",
        m.buyer,
        "--price",
        "69.99",
        "--quantity",
        "600",
        auction,
        as_=m.buyer,
    )
    assert code == 1
    assert err.startswith("error: BID_WORSE_THAN_RESERVE: ")
    code, out, _ = await cqx(
        "bidding",
        "bid",
        "--account",
        m.buyer,
        "--price",
        "70.10",
        "--quantity",
        "600",
        auction,
        as_=m.buyer,
    )
    assert code == 0
    assert out.endswith(f"on {auction}: 600 t at 70.10 (sealed until the close)\n")
    code, _, err = await cqx("bidding", "close", auction)
    assert code == 1
    assert err.startswith("error: BIDDING_WINDOW_NOT_OVER: ")
    await asyncio.sleep((now_us + 9_000_000 - exchange.exchange.now()) / 1_000_000)
    code, out, _ = await cqx("bidding", "close", auction)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith("— closed, 1 bid(s), filled 600 t")
    assert lines[-1].split()[1:6] == ["bidding", "70.10", "600", m.buyer, m.seller]
    _, out, _ = await cqx("--json", "bidding", "show", auction)
    assert (json.loads(out)["status"], json.loads(out)["filled_t"]) == ("closed", 600)
    # What did not sell is free again.
    risk = await m.operator.matching.risk_balance(m.seller)
    assert (risk.of(m.instrument).reserved_tonnes, risk.of(m.instrument).free_tonnes) == (
        0, 200_000 - 600,
    )  # fmt: skip


async def test_a_bidding_window_is_checked_before_anything_is_sent(cqx: Cqx) -> None:
    code, _, err = await cqx(
        "bidding", "announce", "--account", "a", "--side", "sell", "--instrument", "CEA-2030",
        "--quantity", "10", "--reserve", "70.00", "--start", "10:30", "--end", "10:00",
    )  # fmt: skip
    assert (code, err) == (
        2, "cqx bidding announce: error: the window must end after it starts\n",
    )  # fmt: skip
    code, _, err = await cqx(
        "bidding", "announce", "--account", "a", "--side", "sell", "--instrument", "CEA-2030",
        "--quantity", "10", "--reserve", "70.00", "--end", "25:00",
    )  # fmt: skip
    assert code == 2
    assert "time must be HH:MM or HH:MM:SS, not '25:00'" in err


async def test_r_t7_r_t8_a_listing_is_taken_by_name_or_the_best_one_on_the_command_line(
    market: Market, cqx: Cqx
) -> None:
    m, cea = market, market.instrument
    _, out, _ = await cqx(*m.place(m.seller, "sell", "74.00", "200", "--listed"), as_=m.seller)
    cheap = order_id_of(out)
    _, out, _ = await cqx(*m.place(m.seller, "sell", "74.50", "300", "--listed"), as_=m.seller)
    dear = order_id_of(out)
    code, out, _ = await cqx("listings", cea)
    assert code == 0
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows == [[cheap, "sell", "74.00", "200"], [dear, "sell", "74.50", "300"]]
    take = ("order", "take", "--account", m.buyer, "--side", "buy", "--instrument", cea)
    code, out, _ = await cqx(*take, "--quantity", "100", "--maker", dear, as_=m.buyer)
    assert code == 0
    assert out.splitlines()[-1].split()[1:3] == ["74.50", "100"]  # the maker's price (R-T7)
    code, out, _ = await cqx(*take, "--quantity", "50", as_=m.buyer)
    assert out.splitlines()[-1].split()[1:3] == ["74.00", "50"]  # the best one (R-T8)
    code, _, err = await cqx(
        *take, "--quantity", "10", "--maker", cheap, "--limit", "73.00", as_=m.buyer
    )
    assert code == 1
    assert err.startswith("error: PRICE_WORSE_THAN_LIMIT: ")


async def test_an_order_is_reduced_in_place_and_replaced_on_the_command_line(
    market: Market, cqx: Cqx
) -> None:
    m = market
    _, out, _ = await cqx(*m.place(m.seller, "sell", "74.80", "500"), as_=m.seller)
    oid = order_id_of(out)
    reduce = ("order", "reduce", "--account")
    code, out, _ = await cqx(*reduce, m.seller, "--quantity", "200", oid, as_=m.seller)
    assert code == 0
    assert out.endswith("— open, filled 0 t, remaining 200 t\n")
    # The buyer's member, naming its own account, may not touch the seller's order.
    code, _, err = await cqx(*reduce, m.buyer, "--quantity", "100", oid, as_=m.buyer)
    assert code == 1
    assert err.startswith("error: NOT_YOURS: ")
    elsewhere = ("--instrument", "CEA-2099", oid)
    code, _, err = await cqx(*reduce, m.seller, "--quantity", "1", *elsewhere, as_=m.seller)
    assert code == 1
    assert err.startswith("error: INSTRUMENT_MISMATCH: ")
    assert err.rstrip().endswith("nothing reduced")
    replace = ("order", "replace", "--account", m.seller, "--price", "74.70", "--quantity", "150")
    code, out, _ = await cqx(*replace, oid, as_=m.seller)
    assert code == 0
    assert f"sell 150 t {m.instrument} at 74.70" in out
    _, out, _ = await cqx("--json", "book", m.instrument)
    asks = json.loads(out)["snapshot"]["continuous"]["asks"]
    assert [(a["price_fen"], a["quantity_t"]) for a in asks] == [(7470, 150)]
