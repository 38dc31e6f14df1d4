"""Every allocation event survives the trip through its protobuf message unchanged."""

from __future__ import annotations

import uuid

import pytest
from cqx.allocation.v1 import events_pb2
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.registry.v1 import events_pb2 as registry_pb2

from cqx_allocation.adapters.codec import CODEC
from cqx_allocation.adapters.foreign import FOREIGN
from cqx_allocation.domain.commands import RecordSurrender
from cqx_allocation.domain.events import (
    EVENT_TYPES,
    AllocationIssued,
    AllocationSet,
    ComplianceStatus,
    ComplianceStatusChanged,
    ComplianceYearOpened,
    EmissionsVerified,
    EntityRegistered,
    Event,
    SurrenderRecorded,
    SurrenderUnattributed,
)
from cqx_service.codec import UnknownEventTypeError

SAMPLES: list[Event] = [
    EntityRegistered("shanxi-001", "acct-001", "Datong Power", "power", "Shanxi"),
    ComplianceYearOpened(2019, "CEA-2019-2020"),
    AllocationSet("shanxi-001", 2024, 120_000),
    AllocationIssued("iss-1", "shanxi-001", "acct-001", 2024, "CEA-2024", 120_000),
    EmissionsVerified("shanxi-001", 2024, 130_000),
    SurrenderRecorded("shanxi-001", 2024, "CEA-2024", 7, str(uuid.uuid4())),
    ComplianceStatusChanged("shanxi-001", 2024, ComplianceStatus.B, 7, 130_000),
    SurrenderUnattributed("acct-9", "CEA-2024", 5, str(uuid.uuid4()), 2024,
                          "ACCOUNT_NOT_LINKED", ""),
]  # fmt: skip


def test_the_samples_cover_every_event_type() -> None:
    assert {type(e) for e in SAMPLES} == set(EVENT_TYPES)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_an_event_decodes_to_what_was_encoded(event: Event) -> None:
    codec = CODEC
    event_type, payload = codec.encode(event)
    assert event_type == f"cqx.allocation.v1.{type(event).__name__}"
    assert codec.decode(event_type, payload) == event


@pytest.mark.parametrize("status", list(ComplianceStatus))
def test_each_status_is_stored_as_its_eu_code(status: ComplianceStatus) -> None:
    event = ComplianceStatusChanged("e", 2024, status, 0, 0)
    _, payload = CODEC.encode(event)
    stored = events_pb2.ComplianceStatusChanged.FromString(payload).status
    assert events_pb2.ComplianceStatus.Name(stored) == f"COMPLIANCE_STATUS_{status.value}"


def test_an_unknown_stored_type_is_not_one_of_ours() -> None:
    assert not CODEC.knows("cqx.allocation.v1.Unheard")
    with pytest.raises(UnknownEventTypeError):
        CODEC.decode("cqx.allocation.v1.Unheard", b"")


def _envelope(event_type: str, payload: bytes) -> EventEnvelope:
    return EventEnvelope(source="registry", position=1, stream_id="account-a",
                         stream_version=1, event_id=str(uuid.uuid4()), event_type=event_type,
                         payload=payload)  # fmt: skip


def test_a_registry_surrender_becomes_a_surrender_to_record() -> None:
    surrendered = registry_pb2.AllowancesSurrendered(
        surrender_id="s1", account_id="acct-001", instrument="CEA-2024", quantity_tonnes=40,
        compliance_year=2024,
    )  # fmt: skip
    envelope = _envelope("cqx.registry.v1.AllowancesSurrendered", surrendered.SerializeToString())
    assert FOREIGN.command_for(envelope) == RecordSurrender(
        "acct-001", "CEA-2024", 40, 2024, envelope.event_id
    )


def test_other_registry_events_cause_nothing_here() -> None:
    opened = registry_pb2.AccountOpened(account_id="acct-001", name="x")
    envelope = _envelope("cqx.registry.v1.AccountOpened", opened.SerializeToString())
    assert FOREIGN.command_for(envelope) is None
