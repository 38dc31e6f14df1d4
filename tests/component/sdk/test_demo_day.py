"""``make demo`` against the four real services: seeded, a day traded, settled, closed (the
operator's work as the operator, each unit's orders as its own member, all with the tests'
authority)."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator

import pytest

from cqx_bus import KafkaAccess
from cqx_local import demo_market as market
from cqx_local.demo import seed, trade_a_day
from cqx_sdk import CqxApiError
from cqx_sdk.cli import run
from tests.component.sdk.support import (
    ThreeServices,
    WednesdayClock,
    eventually,
    four_services,
    operator_client,
)
from tests.support import pki


@pytest.fixture(scope="module")
async def services(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[ThreeServices]:
    async with four_services(database_url, kafka_admin, f"t_{secrets.token_hex(4)}") as s:
        yield s


async def test_a_simulated_day_trades_settles_and_closes(
    services: ThreeServices, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Today" as the exchange's clock has it.
    monkeypatch.setattr("cqx_sdk.matching.today_in_shanghai", lambda: WednesdayClock.TRADING_DATE)
    await seed(services, pki.pki_dir())
    capsys.readouterr()
    assert await trade_a_day(services.addresses, pki_dir=pki.pki_dir()) == 0
    out = capsys.readouterr().out
    async with operator_client(services.addresses) as client:
        status = await client.matching.instrument(market.INSTRUMENT)
        trades = [t async for t in client.matching.list_trades(market.INSTRUMENT)]
        allowances = await client.registry.check_conservation(market.INSTRUMENT)
        cash = await client.settlement.check_conservation()
    assert trades, "the simulated day traded nothing"
    assert not status.is_open
    vwap = sum(t.price_fen * t.quantity_tonnes for t in trades) // sum(
        t.quantity_tonnes for t in trades
    )
    assert abs(status.statistics.close_fen - vwap) <= 1
    assert allowances.holds
    assert cash.holds
    assert cash.fee_account_balance_fen > 0
    assert "Positions of the accounts that traded" in out


async def test_the_command_line_shows_the_traded_day(
    services: ThreeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    """Runs after the simulated day above (same module, same services)."""
    env = services.environ()  # the operator's: it reads everything
    date = WednesdayClock.TRADING_DATE
    capsys.readouterr()
    assert await run(["trades", market.INSTRUMENT, "--date", date, "--last", "2"], environ=env) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert len(rows) == 2
    assert all(r.split()[1] == "continuous" for r in rows)
    assert await run(["--json", "day", "show", market.INSTRUMENT], environ=env) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (
        await run(
            ["trades", market.INSTRUMENT, "--date", date, "--last", "1000", "--json"], environ=env
        )
        == 0
    )
    traded = json.loads(capsys.readouterr().out)
    volume = sum(t["quantity_t"] for t in traded)
    vwap = sum(t["price_fen"] * t["quantity_t"] for t in traded) // volume
    # Closed: the day's close (the VWAP, R-T9) is the reference price of the next day.
    assert (shown["day_status"], shown["trading_date"]) == ("closed", date)
    final = shown["statistics"]  # the closed day's own figures, not an empty new day
    assert (final["volume_t"], final["final"]) == (volume, True)
    assert abs(final["close_fen"] - vwap) <= 1
    assert abs(shown["reference_price_fen"] - vwap) <= 1
    assert await run(["settlement", "status", date, "--json"], environ=env) == 0
    day = json.loads(capsys.readouterr().out)
    assert (day["trades_settled"], day["delivered_t"]) == (len(traded), volume)
    code = await run(
        [
            "order",
            "place",
            "--account",
            "shanxi-001",
            "--side",
            "buy",
            "--instrument",
            market.INSTRUMENT,
            "--price",
            "74.50",
            "--quantity",
            "100",
        ],
        environ=services.environ("shanxi-001"),  # the unit's own member places its order
    )
    assert code == 1
    assert capsys.readouterr().err.startswith("error: DAY_NOT_OPEN: ")


async def test_after_the_day_closed_the_seed_and_the_demo_say_why_nothing_trades(
    services: ThreeServices, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs after the simulated day above closed the day (same module, same services): a
    second ``make run`` seed and ``make demo`` say the day was closed and what to do."""
    monkeypatch.setattr("cqx_sdk.matching.today_in_shanghai", lambda: WednesdayClock.TRADING_DATE)
    capsys.readouterr()
    await seed(services, pki.pki_dir())
    out = capsys.readouterr().out
    assert "not opened: DAY_ALREADY_CLOSED" in out
    assert "cqx_infra down --purge" in out
    assert await trade_a_day(services.addresses, pki_dir=pki.pki_dir()) == 1
    out = capsys.readouterr().out
    assert "DAY_ALREADY_CLOSED" in out
    assert "hint: today's trading day was closed" in out


async def test_the_settlement_day_closes_on_the_operators_figures(services: ThreeServices) -> None:
    """Runs after the simulated day above (same module, same services): the operator's
    expected figures reach the clearing house, a wrong one is a break, the right ones close."""
    date = WednesdayClock.TRADING_DATE
    async with operator_client(services.addresses) as client:
        traded = [
            t async for t in client.matching.list_trades(market.INSTRUMENT, trading_date=date)
        ]
        volume = sum(t.quantity_tonnes for t in traded)

        answers: list[str] = []

        async def answered_a_wrong_count() -> bool:
            try:
                await client.settlement.close_settlement_day(
                    date, expected_trade_count=len(traded) + 1, expected_volume_tonnes=volume
                )
                answers.append("closed")
            except CqxApiError as error:
                answers.append(error.reason)
            return answers[-1] != "DELIVERIES_PENDING"  # the registry's answers on their way

        await eventually(answered_a_wrong_count, within=90)
        assert answers[-1] == "RECONCILIATION_BREAK"
        day = await client.settlement.close_settlement_day(
            date, expected_trade_count=len(traded), expected_volume_tonnes=volume
        )
    assert (day.status, day.trades_settled, day.tonnes_delivered) == ("closed", len(traded), volume)
