"""The demo seed of ``make run`` against real services: 96 funded Shanxi units, once."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest

from cqx_local import demo_market as market
from cqx_local.demo import seed
from cqx_sdk import CqxClient
from cqx_sdk.dates import today_in_shanghai
from tests.component.sdk.fake_matching import FakeMatching, fake_matching
from tests.component.sdk.support import ThreeServices, three_services


@pytest.fixture(scope="module")
async def exchange() -> AsyncIterator[tuple[FakeMatching, str]]:
    async with fake_matching() as running:
        yield running


@pytest.fixture(scope="module")
async def services(
    database_url: str, kafka_bootstrap: str, exchange: tuple[FakeMatching, str]
) -> AsyncIterator[ThreeServices]:
    name = f"t_{secrets.token_hex(4)}"
    async with three_services(database_url, kafka_bootstrap, name, matching=exchange[1]) as s:
        yield s


async def test_the_seed_funds_96_units_and_a_second_seed_changes_nothing(
    services: ThreeServices,
    exchange: tuple[FakeMatching, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    await seed(services)
    progress = capsys.readouterr().out.splitlines()
    assert all(line.startswith("seed: ") for line in progress)
    assert "previous close 74.63, band 67.17–82.09" in progress[-1]
    opened = exchange[0].days[market.INSTRUMENT]
    assert (opened.previous_close_fen, opened.trading_date) == (7463, today_in_shanghai())
    units = market.covered_units()
    async with CqxClient(services.addresses) as client:
        first = [
            (await client.registry.holdings(u.account_id)).of(market.INSTRUMENT) for u in units
        ]
        cash = [(await client.settlement.cash_balance(u.account_id)).balance_fen for u in units]
        await seed(services)
        assert capsys.readouterr().out.splitlines()[-1].endswith("is open already")
        again = [
            (await client.registry.holdings(u.account_id)).of(market.INSTRUMENT) for u in units
        ]
        cash_again = [
            (await client.settlement.cash_balance(u.account_id)).balance_fen for u in units
        ]
        accounts = [a async for a in client.registry.list_accounts()]
        conservation = await client.registry.check_conservation(market.INSTRUMENT)
    assert len(units) == 96
    assert [a.account_id for a in accounts] == [market.FEE_ACCOUNT] + [u.account_id for u in units]
    unit = units[0]
    assert (first[0].registry_tonnes, first[0].trading_tonnes) == (
        unit.allocation_tonnes - unit.trading_tonnes,
        unit.trading_tonnes,
    )
    assert all(200_000 <= u.allocation_tonnes <= 2_000_000 for u in units)
    assert cash == [market.DEPOSIT_FEN] * 96
    assert (again, cash_again) == (first, cash)
    assert conservation.holds
    assert conservation.instruments[0].issued_tonnes == sum(u.allocation_tonnes for u in units)
