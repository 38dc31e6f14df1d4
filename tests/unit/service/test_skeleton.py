"""The shared skeleton's rules, written once for all four services: the request id, foreign
events that cannot be used (dead letters, never a crash), the codec's table and units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

import pytest
from aiokafka import ConsumerRecord
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import events_pb2 as matching
from cqx.registry.v1 import events_pb2 as registry
from cqx.registry.v1 import registry_service_pb2 as registry_api

from cqx_bus.access import KafkaAccess, KafkaCredentials
from cqx_bus.bookkeeping import InMemoryBookkeeping
from cqx_bus.consumer import Consumer
from cqx_eventstore import InMemoryEventStore
from cqx_grpc import CallMetadata, bind_call
from cqx_identity import Principal, Role
from cqx_kernel.errors import InvalidArgumentError
from cqx_registry.bootstrap import assemble as assemble_registry
from cqx_service.codec import EventCodec
from cqx_service.servicer import MAX_REQUEST_ID_LENGTH, call_ids, fingerprint_of
from cqx_settlement.bootstrap import assemble as assemble_settlement
from tests.support.assembled import assembled
from tests.unit.bus.chain import SourceLog


def _ids(field: str, header: str | None) -> tuple[str, dict[str, str]]:
    request = registry_api.MoveToTradingRequest(request_id=field, account_id="A")
    trader = Principal(Role.MEMBER, "trader-1", "p-1")
    with bind_call(CallMetadata(request_id=header, correlation_id="corr", principal=trader)):
        ids = call_ids(request)
        return ids.request_id, ids.metadata


def test_a_fingerprint_names_the_rpc_and_its_fields_but_not_the_request_id() -> None:
    move = registry_api.MoveToTradingRequest(request_id="r1", account_id="A", quantity_tonnes=5)
    retried = registry_api.MoveToTradingRequest(request_id="r2", account_id="A", quantity_tonnes=5)
    other = registry_api.MoveToTradingRequest(request_id="r1", account_id="A", quantity_tonnes=6)
    back = registry_api.MoveFromTradingRequest(request_id="r1", account_id="A", quantity_tonnes=5)
    assert fingerprint_of(move) == fingerprint_of(retried)
    assert len({fingerprint_of(move), fingerprint_of(other), fingerprint_of(back)}) == 3


def test_the_request_id_is_the_field_else_the_header_and_is_its_callers() -> None:
    assert _ids("from-field", "from-header")[0] == "member:trader-1 from-field"
    key, metadata = _ids("", "from-header")
    assert key == "member:trader-1 from-header"  # the journal's key: (principal, request id)
    assert metadata == {
        "request_id": "from-header", "correlation_id": "corr", "actor": "member:trader-1",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("field", "header", "reason"),
    [
        ("", None, "REQUEST_ID_MISSING"),
        ("x" * (MAX_REQUEST_ID_LENGTH + 1), None, "FIELD_TOO_LONG"),
        ("", "y" * (MAX_REQUEST_ID_LENGTH + 1), "FIELD_TOO_LONG"),
    ],
)
def test_a_missing_or_overlong_request_id_is_refused(
    field: str, header: str | None, reason: str
) -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        _ids(field, header)
    assert refused.value.reason == reason


NOWHERE = KafkaAccess("unused:9092", KafkaCredentials("settlement", "unused"))


def _record(
    log: SourceLog, event_type: str, payload: bytes, offset: int
) -> ConsumerRecord[bytes, bytes]:
    envelope = log.append(event_type, payload, stream_id="book-x")
    value = envelope.SerializeToString()
    return ConsumerRecord("t", 0, offset, 0, 0, None, value, None, 0, len(value), [])


async def test_an_undecodable_or_refused_foreign_event_is_dead_lettered_and_the_rest_applied() -> (
    None
):
    store = InMemoryEventStore()
    async with assembled(assemble_settlement, "settlement", store) as house:
        books = InMemoryBookkeeping()
        consumer = Consumer(
            "settlement<-matching", {"t": "matching"}, access=NOWHERE, store=store,
            bookkeeping=books,
            handler=house.on_foreign_event, submit=house.journal.submit,
        )  # fmt: skip
        trade_type = matching.TradeExecuted.DESCRIPTOR.full_name
        good = matching.TradeExecuted(
            trade_id="T1", instrument="CEA-2025", price_fen=100, quantity_tonnes=3,
            buyer_account_id="b", seller_account_id="s", trading_date="2025-06-02",
        )  # fmt: skip
        nameless = matching.TradeExecuted(trade_id="", trading_date="2025-06-02")
        log = SourceLog("matching")
        await consumer.handle([
            _record(log, trade_type, b"\xff\xff\xff", 0),
            _record(log, trade_type, nameless.SerializeToString(), 1),
            _record(log, trade_type, good.SerializeToString(), 2),
        ])  # fmt: skip
        letters = await books.dead_letters("settlement<-matching")
        assert [(letter.offset, letter.reason.split(":")[0]) for letter in letters] == [
            (0, "UNDECODABLE_PAYLOAD"),
            (1, "FOREIGN_EVENT_REFUSED"),
        ]
        assert list(house.ledger.settlements) == ["T1"]


async def test_the_events_a_foreign_event_causes_name_it_and_its_source_as_actor() -> None:
    store = InMemoryEventStore()
    async with assembled(assemble_registry, "registry", store) as app:
        issued = EventEnvelope(
            source="allocation", position=1, stream_id="entity-1", event_id="ev-1",
            event_type="cqx.allocation.v1.AllocationIssued",
            payload=b"", metadata={"correlation_id": "plan-2024"},
        )  # fmt: skip
        unit = await app.on_foreign_event(issued)
        (request,) = unit.requests
        assert request.metadata == {
            "correlation_id": "plan-2024", "causation_id": "ev-1", "actor": "service:allocation",
        }  # fmt: skip


class Side(Enum):
    """A domain enum whose values are the contract's names without the prefix."""

    BUY = "BUY"
    SELL = "SELL"


@dataclass(frozen=True)
class Accepted:
    """A domain event with an account, a plain price and quantity, an enum and a time."""

    order_id: str
    account: str
    side: Side
    price: int
    quantity: int
    at: int


@dataclass(frozen=True)
class Opened:
    """A domain event with a date."""

    day: date
    at: int


@dataclass(frozen=True)
class Refused:
    """A domain event with an optional string."""

    order_id: str
    reason: str | None


def test_the_codec_renames_units_and_converts_enums_dates_and_absent_strings() -> None:
    codec: EventCodec[Accepted | Opened | Refused] = EventCodec([
        (Accepted, matching.OrderAccepted),
        (Opened, matching.ExchangeDayOpened),
        (Refused, matching.OrderRejected),
    ])  # fmt: skip
    accepted = Accepted("o1", "acct-1", Side.SELL, 7463, 20, 1_700_000_000_000_000)
    event_type, payload = codec.encode(accepted)
    message = matching.OrderAccepted.FromString(payload)
    assert event_type == "cqx.matching.v1.OrderAccepted"
    assert (message.account_id, message.price_fen, message.quantity_tonnes) == ("acct-1", 7463, 20)
    assert message.side == matching.SIDE_SELL
    assert message.occurred_at_us == accepted.at
    opened = Opened(date(2026, 12, 7), 1)
    assert matching.ExchangeDayOpened.FromString(codec.encode(opened)[1]).trading_date == (
        "2026-12-07"
    )
    refused = Refused("o2", None)
    assert matching.OrderRejected.FromString(codec.encode(refused)[1]).reason == ""
    for event in (accepted, opened, refused):
        assert codec.decode(*codec.encode(event)) == event


def test_a_pair_whose_message_lacks_a_field_fails_when_the_table_is_made() -> None:
    with pytest.raises(TypeError, match="AccountOpened has no field for order_id"):
        EventCodec([(Accepted, registry.AccountOpened)])
