"""``seed(system)``: the demo market of ``make run``, seeded once through the SDK.

Every request carries a fixed request id (see :func:`demo_market.request_id`), so seeding
again answers each request from the first run and changes nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Protocol, TypeVar

from cqx_local import demo_market as market
from cqx_local.demo_clients import DemoClients
from cqx_local.demo_market import INSTRUMENT, YEAR, CoveredUnit, request_id
from cqx_local.system import SERVICES
from cqx_sdk import (
    AccountKind,
    Addresses,
    CqxApiError,
    CqxClient,
    ParticipantKind,
    format_amount,
    format_price,
)

# Enough calls in flight to keep the services' group commit busy, few enough to be polite.
CONCURRENCY = 16
ISSUANCE_WAIT_SECONDS = 120.0
T = TypeVar("T")


class ServiceAddresses(Protocol):
    """Where each service listens: a :class:`~cqx_local.system.LocalSystem`, or a test's."""

    def address(self, service: str) -> str:
        """``host:port`` of ``service``."""
        ...


def say(message: str) -> None:
    """One progress line."""
    print(f"seed: {message}", flush=True)


async def for_each(units: Iterable[T], step: Callable[[T], Awaitable[object]]) -> None:
    """Run ``step`` for every unit, at most :data:`CONCURRENCY` at a time."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(unit: T) -> None:
        async with gate:
            await step(unit)

    await asyncio.gather(*(one(u) for u in units))


async def unless_exists(call: Awaitable[object]) -> None:
    """Run a creating call; what exists already (made outside this seed) is fine too."""
    try:
        await call
    except CqxApiError as error:
        if error.code != "ALREADY_EXISTS":
            raise


async def seed(system: ServiceAddresses, pki_dir: Path) -> None:
    """Seed the demo market on ``system`` (see the module docstring and the brief's list):
    the operator's work as the local operator, each unit's as its own member."""
    addresses = Addresses(**{service: system.address(service) for service in SERVICES})
    units = market.covered_units()
    members = [u.account_id for u in units]
    async with DemoClients(addresses, pki_dir, members) as clients:
        client = clients.operator
        await open_accounts(client, units)
        await allocate(client, units)
        await wait_for_issuance(client, sum(u.allocation_tonnes for u in units))
        await fund(clients, units)
        await open_trading_day(client)


async def open_accounts(client: CqxClient, units: tuple[CoveredUnit, ...]) -> None:
    """The exchange (a staff body) and its fee account; per unit, a key emission unit of the
    unit's id with its covered-entity account, and the allocation entity."""
    exchange = market.EXCHANGE_PARTICIPANT
    await unless_exists(
        client.registry.register_participant(
            exchange,
            ParticipantKind.EXCHANGE,
            "CQX exchange",
            request_id=request_id("participant", exchange),
        )
    )
    await unless_exists(
        client.registry.open_account(
            market.FEE_ACCOUNT,
            AccountKind.EXCHANGE,
            "CQX exchange fees",
            exchange,
            request_id=request_id("account", market.FEE_ACCOUNT),
        )
    )
    say(
        f"exchange {exchange} (a staff body: it may not trade), "
        f"its fee account {market.FEE_ACCOUNT}"
    )

    async def open_one(u: CoveredUnit) -> None:
        await unless_exists(
            client.registry.register_participant(
                u.account_id,
                ParticipantKind.KEY_EMISSION_UNIT,
                u.name,
                request_id=request_id("participant", u.account_id),
            )
        )
        await unless_exists(
            client.registry.open_account(
                u.account_id,
                AccountKind.COVERED_ENTITY,
                u.name,
                u.account_id,
                request_id=request_id("account", u.account_id),
            )
        )
        await unless_exists(
            client.allocation.register_entity(
                u.account_id,
                u.account_id,
                u.name,
                "power",
                "Shanxi",
                request_id=request_id("entity", u.account_id),
            )
        )

    await for_each(units, open_one)
    say(
        f"{len(units)} covered entities (participants, registry accounts and allocation entities) "
        f"{units[0].account_id} … {units[-1].account_id}"
    )


async def allocate(client: CqxClient, units: tuple[CoveredUnit, ...]) -> None:
    """Open the compliance year, set each unit's allocation and issue it."""
    await unless_exists(
        client.allocation.open_compliance_year(YEAR, request_id=request_id("year", YEAR))
    )
    say(f"compliance year {YEAR} open (instrument {INSTRUMENT})")

    async def allocate_one(u: CoveredUnit) -> None:
        rid = request_id("allocation", u.account_id, YEAR)
        await client.allocation.set_allocation(
            u.account_id, YEAR, u.allocation_tonnes, request_id=rid
        )
        await client.allocation.issue_allocation(
            u.account_id, YEAR, request_id=request_id("issue", u.account_id, YEAR)
        )

    await for_each(units, allocate_one)
    total = sum(u.allocation_tonnes for u in units)
    say(
        f"allocations set and issued: {total:,} t of {INSTRUMENT} "
        f"({min(u.allocation_tonnes for u in units):,}–"
        f"{max(u.allocation_tonnes for u in units):,} t each)"
    )


async def wait_for_issuance(client: CqxClient, total_tonnes: int) -> None:
    """Wait until the registry (fed through Kafka) shows everything issued."""
    started = time.monotonic()
    while True:
        checked = await client.registry.check_conservation(INSTRUMENT)
        issued = sum(c.issued_tonnes for c in checked.instruments)
        if issued >= total_tonnes:
            break
        if time.monotonic() - started > ISSUANCE_WAIT_SECONDS:
            raise TimeoutError(
                f"the registry shows {issued:,} of {total_tonnes:,} t issued after "
                f"{ISSUANCE_WAIT_SECONDS:.0f} s; see .run/logs/registry.log"
            )
        await asyncio.sleep(0.2)
    say(f"the registry holds the {issued:,} t issued ({time.monotonic() - started:.1f} s)")


async def fund(clients: DemoClients, units: tuple[CoveredUnit, ...]) -> None:
    """Each unit moves part of its holding to trading; the operator deposits its cash."""

    async def fund_one(u: CoveredUnit) -> None:
        await clients.member(u.account_id).registry.move_to_trading(
            u.account_id,
            INSTRUMENT,
            u.trading_tonnes,
            request_id=request_id("to-trading", u.account_id, INSTRUMENT),
        )
        await clients.operator.settlement.deposit(
            u.account_id, market.DEPOSIT_FEN, request_id=request_id("deposit", u.account_id)
        )

    await for_each(units, fund_one)
    moved = sum(u.trading_tonnes for u in units)
    say(
        f"{market.TRADING_SHARE_PERCENT}% of each holding moved to trading ({moved:,} t); "
        f"{format_amount(market.DEPOSIT_FEN)} CNY deposited for each unit"
    )


async def open_trading_day(client: CqxClient) -> None:
    """Open today's trading day for the instrument at the previous close (skipped if open)."""
    try:
        status = await client.matching.instrument(INSTRUMENT)
    except CqxApiError as error:
        if error.code != "NOT_FOUND":
            raise
    else:
        if status.is_open:
            say(f"trading day {status.trading_date} for {INSTRUMENT} is open already")
            return
    close = format_price(market.PREVIOUS_CLOSE_FEN)
    try:
        # A fresh request id: the day is not open now, whatever an earlier run was told.
        day = await client.matching.open_trading_day(INSTRUMENT, market.PREVIOUS_CLOSE_FEN)
    except CqxApiError as error:
        if error.code != "FAILED_PRECONDITION":
            raise
        say(f"trading day for {INSTRUMENT} not opened: {error.one_line().removeprefix('error: ')}")
        if error.reason in market.SESSION_REASONS:
            say(market.SESSION_HINT)
        if error.reason in market.DAY_CLOSED_REASONS:
            say(market.DAY_CLOSED_HINT)
        return
    band = f"{format_price(day.listed_band.lower_fen)}–{format_price(day.listed_band.upper_fen)}"
    say(
        f"trading day {day.trading_date} open for {INSTRUMENT}: previous close {close}, band {band}"
    )
