"""Registry, allocation and settlement run in-process, sharing a namespace (so their Kafka
topics connect them), for the SDK and the ``cqx`` command line to talk to."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cqx_allocation.bootstrap import build as build_allocation
from cqx_matching.bootstrap import builder as matching_builder
from cqx_matching.config import MatchingSettings
from cqx_registry.bootstrap import build as build_registry
from cqx_sdk import Addresses
from cqx_service import RuntimeSettings
from cqx_settlement.bootstrap import builder as settlement_builder
from cqx_settlement.config import SettlementSettings
from tests.support.service_harness import running, settings_for

FEES = "exchange-fees"
# Nothing listens here: what a client sees when the matching service is down.
UNREACHABLE = "127.0.0.1:9"


@dataclass(frozen=True)
class ThreeServices:
    """Where the running services listen."""

    addresses: Addresses

    def address(self, service: str) -> str:
        """``host:port`` of ``service`` (as :class:`~cqx_local.system.LocalSystem` says it)."""
        return self.addresses.of(service)

    def environ(self) -> dict[str, str]:
        """``CQX_<SERVICE>_ADDRESS`` for the command line."""
        return {
            f"CQX_{s.upper()}_ADDRESS": self.addresses.of(s)
            for s in ("registry", "allocation", "matching", "settlement")
        }


@contextlib.asynccontextmanager
async def three_services(
    database_url: str, kafka_bootstrap: str, namespace: str, *, matching: str = UNREACHABLE
) -> AsyncIterator[ThreeServices]:
    """Start registry, allocation and settlement on port 0; stop them afterwards. Calls to
    matching go to ``matching`` (by default nowhere)."""

    def settings(service: str) -> RuntimeSettings:
        return settings_for(service, database_url, kafka_bootstrap, namespace)

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
    database_url: str, kafka_bootstrap: str, namespace: str
) -> AsyncIterator[ThreeServices]:
    """The three above and the real exchange on a :class:`WednesdayClock`, trading around the
    clock (so that the day may close at once)."""
    settings = settings_for("matching", database_url, kafka_bootstrap, namespace)
    exchange = matching_builder(
        MatchingSettings(sessions="around-the-clock"), clock=WednesdayClock()
    )
    async with running(settings, exchange) as matching:
        address = f"127.0.0.1:{matching.port}"
        async with three_services(
            database_url, kafka_bootstrap, namespace, matching=address
        ) as services:
            yield services
