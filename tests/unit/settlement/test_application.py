"""The application on the in-memory store: streams, causation, and rebuild from the log."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import events_pb2 as matching

from cqx_eventstore import InMemoryEventStore
from cqx_service import Journal
from cqx_settlement.adapters import codec, inbound
from cqx_settlement.application.clearing import ClearingHouse
from cqx_settlement.domain.commands import DepositFunds
from tests.unit.settlement.support import DATE, RULES


def new_house(journal: Journal) -> ClearingHouse:
    """A clearing house on ``journal``."""
    return ClearingHouse(journal, RULES, codec, inbound.command_for, lambda: str(uuid.uuid4()))


@pytest.fixture
async def journal() -> AsyncIterator[Journal]:
    journal = Journal(InMemoryEventStore())
    journal.start()
    yield journal
    await journal.stop()


def executed(trade_id: str) -> EventEnvelope:
    """The exchange's TradeExecuted, as it arrives."""
    trade = matching.TradeExecuted(
        trade_id=trade_id, instrument="CEA-2025", price_fen=100, quantity_tonnes=3,
        buyer_account_id="b", seller_account_id="s", buyer_fee_fen=1, trading_date=DATE,
    )  # fmt: skip
    return EventEnvelope(
        source="matching", position=7, stream_id="book-CEA-2025", event_id=str(uuid.uuid4()),
        event_type=inbound.TRADE_EXECUTED, payload=trade.SerializeToString(),
        metadata={"correlation_id": "corr-9"},
    )  # fmt: skip


async def test_a_settled_trade_is_recorded_on_its_stream_naming_its_cause(
    journal: Journal,
) -> None:
    house = new_house(journal)
    await house.execute("r1", DepositFunds("d1", "b", 1_000), lambda _: b"ok", {})
    envelope = executed("T1")
    unit = await house.on_foreign_event(envelope)
    (request,) = unit.requests
    assert request.stream_id == "trade-T1"
    assert [e.event_type for e in request.events] == ["cqx.settlement.v1.TradeSettled"]
    assert request.metadata["causation_id"] == envelope.event_id
    assert request.metadata["correlation_id"] == "corr-9"


async def test_a_trade_report_without_an_id_records_nothing(journal: Journal) -> None:
    unit = await new_house(journal).on_foreign_event(executed(""))
    assert unit.requests == ()


async def test_a_new_process_rebuilds_the_ledger_from_the_recorded_log(journal: Journal) -> None:
    house = new_house(journal)
    await house.execute("r1", DepositFunds("d1", "b", 1_000), lambda _: b"ok", {})
    await journal.record(await house.on_foreign_event(executed("T1")))
    again = new_house(journal)
    assert await again.rebuild(journal.store) == 2
    assert again.ledger == house.ledger
    assert again.ledger.accounts["s"].balance == 300


async def test_an_undecodable_exchange_event_records_nothing(journal: Journal) -> None:
    garbled = executed("T1")
    garbled.payload = b"\xff\xff\xff"
    unit = await new_house(journal).on_foreign_event(garbled)
    assert unit.requests == ()
