"""The demo seed of ``make run`` against the four real services: 96 funded Shanxi units and
today's trading day, once (seeded with the tests' authority, read as the operator)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from cqx_bus import KafkaAccess
from cqx_local import demo_market as market
from cqx_local.demo import seed
from cqx_sdk import CqxClient
from cqx_sdk.exchange_status import InstrumentStatus
from cqx_sdk.registry_views import Holding
from tests.component.sdk.support import (
    ThreeServices,
    WednesdayClock,
    eventually,
    exchange_risk,
    four_services,
    operator_client,
)
from tests.support import pki

TODAY = WednesdayClock.TRADING_DATE


@pytest.fixture(scope="module")
async def services(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[ThreeServices]:
    async with four_services(database_url, kafka_admin, f"t_{secrets.token_hex(4)}") as s:
        yield s


@pytest.fixture
def exchange_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today, for the SDK (the seed opens the day through it), is the exchange's (a
    :class:`WednesdayClock`)."""
    monkeypatch.setattr("cqx_sdk.matching.today_in_shanghai", lambda: TODAY)


async def at_the_exchange(client: CqxClient) -> list[tuple[int, int] | None]:
    """Each unit's free CEA-2024 tonnes and free cash at the exchange (``None``: not credited
    yet), which it learns of through the registry's and settlement's events."""
    balances = [await exchange_risk(client, u.account_id) for u in market.covered_units()]
    return [(b.of(market.INSTRUMENT).free_tonnes, b.free_cash_fen) if b else None for b in balances]


@dataclass(frozen=True)
class SeededMarket:
    """What the seed left, as users see it: each unit's CEA-2024 at the registry, cash at
    settlement and what it may trade at the exchange, and the exchange's day."""

    holdings: list[Holding]
    cash_fen: list[int]
    tradable: list[tuple[int, int] | None]
    day: InstrumentStatus

    @classmethod
    async def of(cls, client: CqxClient) -> SeededMarket:
        """Read it through the SDK."""
        accounts = [u.account_id for u in market.covered_units()]
        return cls(
            [(await client.registry.holdings(a)).of(market.INSTRUMENT) for a in accounts],
            [(await client.settlement.cash_balance(a)).balance_fen for a in accounts],
            await at_the_exchange(client),
            await client.matching.instrument(market.INSTRUMENT),
        )


@pytest.mark.usefixtures("exchange_today")
async def test_the_seed_funds_96_units_and_a_second_seed_changes_nothing(
    services: ThreeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed(services, pki.pki_dir())
    progress = capsys.readouterr().out.splitlines()
    assert all(line.startswith("seed: ") for line in progress)
    assert progress[-1] == (
        f"seed: trading day {TODAY} open for {market.INSTRUMENT}: previous close 74.63, "
        "band 67.17–82.09"
    )
    units = market.covered_units()
    tradable = [(u.trading_tonnes, market.DEPOSIT_FEN) for u in units]
    async with operator_client(services.addresses) as client:

        async def the_exchange_credited_every_unit() -> bool:
            return await at_the_exchange(client) == tradable

        await eventually(the_exchange_credited_every_unit, within=60)
        first = await SeededMarket.of(client)
        await seed(services, pki.pki_dir())
        assert capsys.readouterr().out.splitlines()[-1] == (
            f"seed: trading day {TODAY} for {market.INSTRUMENT} is open already"
        )
        again = await SeededMarket.of(client)
        accounts = [a async for a in client.registry.list_accounts()]
        conservation = await client.registry.check_conservation(market.INSTRUMENT)
    assert len(units) == 96
    assert [a.account_id for a in accounts] == [market.FEE_ACCOUNT] + [u.account_id for u in units]
    assert all(200_000 <= u.allocation_tonnes <= 2_000_000 for u in units)
    assert [(h.registry_tonnes, h.trading_tonnes) for h in first.holdings] == [
        (u.allocation_tonnes - u.trading_tonnes, u.trading_tonnes) for u in units
    ]
    assert first.cash_fen == [market.DEPOSIT_FEN] * 96
    day = first.day
    assert (day.is_open, day.trading_date, day.reference_price_fen) == (True, TODAY, 7463)
    assert (day.listed_band.lower_fen, day.listed_band.upper_fen) == (6717, 8209)
    assert again == first
    assert conservation.holds
    assert conservation.instruments[0].issued_tonnes == sum(u.allocation_tonnes for u in units)
