"""The event codec: every registry event survives the stored form, under its proto name."""

from __future__ import annotations

import pytest
from cqx.registry.v1 import events_pb2 as pb

from cqx_registry.adapters.codec import (
    account_kind,
    decode,
    encode,
    kind_number,
    participant_kind,
    participant_kind_number,
)
from cqx_registry.domain import events as ev
from cqx_registry.domain.commands import AccountKind, ParticipantKind
from cqx_registry.domain.events import DeliveryLeg
from cqx_registry.domain.streams import stream_of
from cqx_service.codec import UnknownEventTypeError

DELIVERY = ("t1", "S", "B", "CEA-2024", 5, "e1")
EVERY_EVENT: list[ev.Event] = [
    ev.ParticipantRegistered("P", ParticipantKind.REGISTRY, "The registry"),
    ev.ParticipantRestricted("P", ("A", "B"), "court order 17"),
    ev.ParticipantReinstated("P", ("A", "B")),
    ev.ParticipantReinstated("Q", ()),
    ev.AccountOpened("A", AccountKind.CANCELLATION, "Cancellation account", "P"),
    ev.AllowancesIssued("A", "CEA-2024", 5, "i1", "e1"),
    ev.IssuanceRejected("i2", "X", "ACCOUNT_NOT_FOUND", "CEA-2024", 5, "e2"),
    ev.MovedToTrading("m1", "A", "CEA-2024", 5),
    ev.MoveFromTradingRequested("m2", "A", "CEA-2024", 5),
    ev.MovedFromTrading("m2", "A", "CEA-2024", 5),
    ev.MoveFromTradingRefused("m3", "A", "CEA-2024", 5, "RESERVED"),
    ev.TransferProposed("t1", "A", "B", "CCER-P1-B1", 5),
    ev.TransferCompleted("t1", "A", "B", "CCER-P1-B1", 5),
    ev.TransferTerminated("t2", "A", "B", "CCER-P1-B1", 5, "INSUFFICIENT_REGISTRY_POSITION"),
    ev.AllowancesSurrendered("s1", "A", "CEA-2019-2020", 5, 2020),
    ev.AllowancesCancelled("c1", "A", "CEA-2024", 5),
    ev.HoldingFrozen("f1", "A", "CEA-2024", 5, "court order"),
    ev.HoldingUnfrozen("f1", "A", "CEA-2024", 5),
    ev.TradeDeliveryApplied(*DELIVERY, DeliveryLeg.SELLER),
    ev.TradeDeliveryApplied(*DELIVERY, DeliveryLeg.BUYER),
    ev.TradeDeliveryApplied("t2", "S", "S", "CEA-2024", 5, "e2", DeliveryLeg.BOTH),
    ev.TradeDeliveryRejected(*DELIVERY[:5], "ACCOUNT_NOT_FOUND", "e1"),
]


@pytest.mark.parametrize("event", EVERY_EVENT, ids=lambda e: type(e).__name__)
def test_every_event_survives_encoding_on_its_stream(event: ev.Event) -> None:
    type_name, payload = encode(event)
    assert type_name == f"cqx.registry.v1.{type(event).__name__}"
    assert decode(type_name, payload, stream_of(event)) == event


def test_a_delivery_is_recorded_on_the_seller_s_and_the_buyer_s_stream() -> None:
    seller = ev.TradeDeliveryApplied(*DELIVERY, DeliveryLeg.SELLER)
    buyer = ev.TradeDeliveryApplied(*DELIVERY, DeliveryLeg.BUYER)
    assert (stream_of(seller), stream_of(buyer)) == ("account-S", "account-B")


def test_an_unknown_stored_type_is_an_error_not_a_silent_skip() -> None:
    with pytest.raises(UnknownEventTypeError):
        decode("cqx.registry.v1.Nothing", b"", "account-A")


def test_every_account_kind_has_its_enum_number_and_back() -> None:
    for kind in AccountKind:
        assert account_kind(kind_number(kind)) is kind
    assert account_kind(0) is None


def test_every_participant_kind_has_its_enum_number_and_back() -> None:
    for kind in ParticipantKind:
        assert participant_kind(participant_kind_number(kind)) is kind
    assert participant_kind(0) is None


def test_an_account_opened_before_participants_existed_belongs_to_no_participant() -> None:
    # Recorded by the registry before participant_id was added to AccountOpened (field 4).
    old = pb.AccountOpened(account_id="A", kind=pb.ACCOUNT_KIND_COVERED_ENTITY, name="Old")
    decoded = decode("cqx.registry.v1.AccountOpened", old.SerializeToString(), "account-A")
    assert decoded == ev.AccountOpened("A", AccountKind.COVERED_ENTITY, "Old", "")
