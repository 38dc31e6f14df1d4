"""The application on the in-memory store: streams, causation, and rebuild from the log."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import events_pb2 as matching

from cqx_eventstore import InMemoryEventStore
from cqx_service import ForeignEventRefusedError, ServiceContext, UndecodableForeignEventError
from cqx_settlement.application.app import ClearingHouse
from cqx_settlement.bootstrap import assemble
from cqx_settlement.config import SettlementSettings
from cqx_settlement.domain.commands import DepositFunds
from tests.unit.settlement.support import DATE, RULES

TRADE_EXECUTED = matching.TradeExecuted.DESCRIPTOR.full_name


@pytest.fixture
async def store() -> InMemoryEventStore:
    return InMemoryEventStore()


async def built(store: InMemoryEventStore) -> ClearingHouse:
    """A clearing house built by the composition root over ``store`` (journal started)."""
    context = ServiceContext.over(store, "settlement")
    context.journal.start()
    settings = SettlementSettings(fee_account_id=RULES.fee_account_id)
    return (await assemble(context, settings)).app


@pytest.fixture
async def house(store: InMemoryEventStore) -> AsyncIterator[ClearingHouse]:
    house = await built(store)
    yield house
    await house.journal.stop()


def executed(trade_id: str) -> EventEnvelope:
    """The exchange's TradeExecuted, as it arrives."""
    trade = matching.TradeExecuted(
        trade_id=trade_id, instrument="CEA-2025", price_fen=100, quantity_tonnes=3,
        buyer_account_id="b", seller_account_id="s", buyer_fee_fen=1, trading_date=DATE,
    )  # fmt: skip
    return EventEnvelope(
        source="matching", position=7, stream_id="book-CEA-2025", event_id=str(uuid.uuid4()),
        event_type=TRADE_EXECUTED, payload=trade.SerializeToString(),
        metadata={"correlation_id": "corr-9"},
    )  # fmt: skip


async def test_a_settled_trade_is_recorded_on_its_stream_naming_its_cause(
    house: ClearingHouse,
) -> None:
    await house.execute("r1", DepositFunds("d1", "b", 1_000), lambda _: b"ok", {})
    envelope = executed("T1")
    unit = await house.on_foreign_event(envelope)
    (request,) = unit.requests
    assert request.stream_id == "trade-T1"
    assert [e.event_type for e in request.events] == ["cqx.settlement.v1.TradeSettled"]
    assert request.metadata["causation_id"] == envelope.event_id
    assert request.metadata["correlation_id"] == "corr-9"
    assert request.metadata["actor"] == "service:matching"


async def test_a_trade_report_without_an_id_is_refused_for_the_dead_letters(
    house: ClearingHouse,
) -> None:
    before = house.ledger.settlement_order[:]
    with pytest.raises(ForeignEventRefusedError) as refused:
        await house.on_foreign_event(executed(""))
    assert refused.value.metadata["refusal"] == "TRADE_ID_MISSING"
    assert house.ledger.settlement_order == before


async def test_a_new_process_rebuilds_the_ledger_from_the_recorded_log(
    house: ClearingHouse, store: InMemoryEventStore
) -> None:
    await house.execute("r1", DepositFunds("d1", "b", 1_000), lambda _: b"ok", {})
    await house.journal.record(await house.on_foreign_event(executed("T1")))
    again = await built(store)
    try:
        assert again.ledger == house.ledger
        assert again.ledger.accounts["s"].balance == 300
    finally:
        await again.journal.stop()


async def test_an_undecodable_exchange_event_is_refused_for_the_dead_letters(
    house: ClearingHouse,
) -> None:
    garbled = executed("T1")
    garbled.payload = b"\xff\xff\xff"
    with pytest.raises(UndecodableForeignEventError):
        await house.on_foreign_event(garbled)
    assert "T1" not in house.ledger.settlements
