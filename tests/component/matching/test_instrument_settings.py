"""Per-instrument settings through the running exchange: an instrument listed with its own
modes and fee shows them, refuses a mode it does not trade, and charges its own fee."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import grpc
import pytest
from cqx.matching.v1 import events_pb2 as events
from cqx.matching.v1 import matching_service_pb2 as api

from cqx_bus import KafkaAccess
from cqx_kernel.clock import FixedClock
from cqx_matching.config import MatchingSettings
from cqx_matching.domain import TradingMode
from tests.component.matching.support import (
    MONDAY_MORNING,
    RICH,
    Matching,
    matching_service,
    refused,
)
from tests.support.service_harness import settings_for

BUY, SELL = events.SIDE_BUY, events.SIDE_SELL
PLAIN = "CEA-2031"  # continuous trading only, no fee


@pytest.fixture(scope="module")
async def service(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[Matching]:
    """An exchange whose CEA-2031 trades continuously only, without a fee."""
    settings = settings_for("matching", database_url, kafka_admin, f"t_{secrets.token_hex(4)}")
    own = MatchingSettings(
        fee_bps=5, instruments={PLAIN: {"modes": frozenset({TradingMode.CONTINUOUS}), "fee_bps": 0}}
    )
    async with matching_service(settings, FixedClock(MONDAY_MORNING), own) as running:
        await running.credit("seller", PLAIN, 1_000)
        await running.fund("buyer", RICH)
        await running.open_day(PLAIN)
        yield running


async def test_an_instrument_shows_and_keeps_the_settings_it_was_listed_with(
    service: Matching,
) -> None:
    shown = await service.stub.GetInstrument(api.GetInstrumentRequest(instrument=PLAIN))
    assert (list(shown.modes), shown.fee_bps) == ([events.TRADING_MODE_CONTINUOUS], 0)
    listed = service.place(
        "seller", PLAIN, SELL, 100, 6_000, trading_mode=events.TRADING_MODE_LISTED
    )
    assert await refused(listed) == (grpc.StatusCode.FAILED_PRECONDITION, "MODE_NOT_ENABLED")
    await service.place("seller", PLAIN, SELL, 100, 6_000)
    bought = await service.place("buyer", PLAIN, BUY, 100, 6_000)
    assert [(f.quantity_tonnes, f.fee_fen) for f in bought.fills] == [(100, 0)]
