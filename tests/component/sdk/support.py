"""Registry, allocation, settlement and (with :func:`four_services`) the exchange run
in-process, sharing a namespace (so their Kafka topics connect them), for the SDK and the
``cqx`` command line to talk to, each call made as the principal who may make it: the
operator (:func:`operator_client`) or an account's member (:func:`member_clients`; in these tests a
participant and its one account share an id)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cqx_allocation.bootstrap import build as build_allocation
from cqx_bus import KafkaAccess
from cqx_local.demo_clients import DemoClients
from cqx_matching.application.app import MatchingApplication
from cqx_matching.bootstrap import builder as matching_builder
from cqx_matching.config import MatchingSettings
from cqx_registry.bootstrap import build as build_registry
from cqx_sdk import AccountKind, Addresses, CqxApiError, CqxClient, ParticipantKind
from cqx_sdk.exchange_status import RiskBalance
from cqx_service import RuntimeSettings
from cqx_settlement.bootstrap import builder as settlement_builder
from cqx_settlement.config import SettlementSettings
from tests.support import pki
from tests.support.service_harness import running, settings_for

FEES = "exchange-fees"
# Nothing listens here: what a client sees when the matching service is down.
UNREACHABLE = "127.0.0.1:9"


@dataclass(frozen=True)
class ThreeServices:
    """Where the running services listen (and, with :func:`four_services`, the exchange's
    application, for a test to see when a stream has subscribed)."""

    addresses: Addresses
    exchange: MatchingApplication | None = None

    def address(self, service: str) -> str:
        """``host:port`` of ``service`` (as :class:`~cqx_local.system.LocalSystem` says it)."""
        return self.addresses.of(service)

    def environ(self, as_: str = pki.OPERATOR) -> dict[str, str]:
        """``CQX_<SERVICE>_ADDRESS`` for the command line, which calls as ``as_`` (the
        operator, or a member named after its participant: ``CQX_AS`` and ``CQX_PKI_DIR``)."""
        return {
            **{
                f"CQX_{s.upper()}_ADDRESS": self.addresses.of(s)
                for s in ("registry", "allocation", "matching", "settlement")
            },
            **pki.as_env(as_),
        }

    def execution_streams(self, account: str) -> int:
        """How many ``StreamExecutions`` calls the exchange serves for ``account`` now."""
        assert self.exchange is not None, "the exchange runs with four_services only"
        return self.exchange.feed.streams_of(account)


@contextlib.asynccontextmanager
async def three_services(
    database_url: str, kafka_admin: KafkaAccess, namespace: str, *, matching: str = UNREACHABLE
) -> AsyncIterator[ThreeServices]:
    """Start registry, allocation and settlement on port 0; stop them afterwards. Calls to
    matching go to ``matching`` (by default nowhere)."""

    def settings(service: str) -> RuntimeSettings:
        return settings_for(service, database_url, kafka_admin, namespace)

    settlement = settlement_builder(SettlementSettings(fee_account_id=FEES))
    async with (
        running(settings("registry"), build_registry) as registry,
        running(settings("allocation"), build_allocation) as allocation,
        running(settings("settlement"), settlement) as clearing,
    ):
        yield ThreeServices(
            Addresses(
                registry=f"127.0.0.1:{registry.port}",
                allocation=f"127.0.0.1:{allocation.port}",
                matching=matching,
                settlement=f"127.0.0.1:{clearing.port}",
            )
        )


def operator_client(addresses: Addresses) -> CqxClient:
    """A client as the local operator of the tests' authority."""
    return CqxClient(addresses, pki.operator())


def member_client(addresses: Addresses, participant: str) -> CqxClient:
    """A client as ``participant``'s member (its credential issued on first use)."""
    return CqxClient(addresses, pki.member(participant))


def member_clients(addresses: Addresses) -> DemoClients:
    """The operator's client, and each member's on first use (closed together): the demo's
    own, over the tests' authority."""
    return DemoClients(addresses, pki.pki_dir())


async def open_member_account(
    client: CqxClient, account_id: str, kind: AccountKind = AccountKind.COVERED_ENTITY
) -> None:
    """As the operator (``client``): a participant of the account's id (a key emission unit
    for a covered-entity account, else an institution) and its trading account."""
    member = (
        ParticipantKind.KEY_EMISSION_UNIT
        if kind is AccountKind.COVERED_ENTITY
        else ParticipantKind.INSTITUTION
    )
    await client.registry.register_participant(account_id, member, account_id)
    await client.registry.open_account(account_id, kind, account_id, account_id)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 20) -> None:
    """Wait until ``check`` holds (asserting it does within ``within`` seconds)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


class WednesdayClock:
    """Real time, as if it had started on Wednesday 16 July 2025 at 10:00 in Shanghai: a
    trading day whatever day the test runs (the exchange's clock is passed in)."""

    START = datetime(2025, 7, 16, 2, 0, tzinfo=UTC)
    TRADING_DATE = "2025-07-16"

    def __init__(self) -> None:
        self._shift = self.START - datetime.now(UTC)

    def now(self) -> datetime:
        """The shifted time."""
        return datetime.now(UTC) + self._shift


@contextlib.asynccontextmanager
async def four_services(
    database_url: str, kafka_admin: KafkaAccess, namespace: str
) -> AsyncIterator[ThreeServices]:
    """The three above and the real exchange on a :class:`WednesdayClock`, trading around the
    clock (so that the day may close at once)."""
    settings = settings_for("matching", database_url, kafka_admin, namespace)
    built: list[MatchingApplication] = []
    exchange = matching_builder(
        MatchingSettings(sessions="around-the-clock"), clock=WednesdayClock(), built=built.append
    )
    async with running(settings, exchange) as matching:
        address = f"127.0.0.1:{matching.port}"
        async with three_services(
            database_url, kafka_admin, namespace, matching=address
        ) as services:
            yield ThreeServices(services.addresses, built[-1])


async def fund_traders(
    addresses: Addresses,
    *,
    allowances: Mapping[str, int],
    cash: Mapping[str, int],
    year: int = 2024,
) -> None:
    """Give traders what they trade with, the way users do: the operator opens each
    account (covered entity for ``allowances``, else institution), allocates and issues
    ``allowances`` (tonnes of CEA-``year`` for each covered entity), which each member moves
    into trading, and deposits ``cash`` (fen for each account). Returns once each member sees
    it all at the exchange (which learns of the accounts, their owners, allowances and cash
    through the registry's and settlement's events)."""
    instrument = f"CEA-{year}"
    async with member_clients(addresses) as clients:
        operator = clients.operator
        await operator.allocation.open_compliance_year(year)
        for account, tonnes in allowances.items():
            await open_member_account(operator, account)
            await operator.allocation.register_entity(account, account, account, "power", "Shanxi")
            await operator.allocation.set_allocation(account, year, tonnes)
            await operator.allocation.issue_allocation(account, year)
        for account in sorted(cash.keys() - allowances.keys()):
            await open_member_account(operator, account, AccountKind.INSTITUTION)
        for account, tonnes in allowances.items():
            issued = functools.partial(_registry_holds, operator, account, instrument, tonnes)
            await eventually(issued)
            await clients.member(account).registry.move_to_trading(account, instrument, tonnes)
        for account, amount in cash.items():
            await operator.settlement.deposit(account, amount)
        for account in {*allowances, *cash}:
            held = functools.partial(
                _exchange_holds,
                clients.member(account),
                account,
                instrument,
                allowances.get(account, 0),
                cash.get(account, 0),
            )
            await eventually(held)


async def _registry_holds(client: CqxClient, account: str, instrument: str, tonnes: int) -> bool:
    held = await client.registry.holdings(account)
    return held.of(instrument).registry_tonnes >= tonnes


async def _exchange_holds(
    client: CqxClient, account: str, instrument: str, tonnes: int, cash_fen: int
) -> bool:
    risk = await exchange_risk(client, account)
    if risk is None:
        return False
    return risk.of(instrument).free_tonnes >= tonnes and risk.free_cash_fen >= cash_fen


async def exchange_risk(client: CqxClient, account: str) -> RiskBalance | None:
    """What ``account`` may spend and sell at the exchange; ``None`` until the exchange has
    credited it anything (and, asked by its member, until the exchange knows the account is
    the member's: ``NOT_YOUR_ACCOUNT`` until the registry's AccountOpened reaches it)."""
    try:
        return await client.matching.risk_balance(account)
    except CqxApiError as error:
        if error.reason not in ("ACCOUNT_NOT_FOUND", "NOT_YOUR_ACCOUNT"):
            raise
        return None
