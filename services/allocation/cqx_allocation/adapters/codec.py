"""Domain events ↔ ``cqx.allocation.v1`` messages, and the registry's events as commands.

Each domain event has the field names of its proto message, so one mapping serves them all;
only the compliance status (an enum) is translated. The stored event type is the message's
full name, e.g. ``cqx.allocation.v1.AllocationIssued``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from cqx.allocation.v1 import events_pb2
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.registry.v1 import events_pb2 as registry_pb2
from google.protobuf.message import Message

from cqx_allocation.domain.commands import RecordSurrender
from cqx_allocation.domain.events import EVENT_TYPES, ComplianceStatus, Event

_PROTO: dict[type, type[Message]] = {cls: getattr(events_pb2, cls.__name__) for cls in EVENT_TYPES}
_DOMAIN: dict[str, type[Any]] = {proto.DESCRIPTOR.full_name: cls for cls, proto in _PROTO.items()}
_STATUS_PREFIX = "COMPLIANCE_STATUS_"
SURRENDERED = registry_pb2.AllowancesSurrendered.DESCRIPTOR.full_name


def status_to_proto(status: ComplianceStatus) -> events_pb2.ComplianceStatus.ValueType:
    """The proto enum value of a compliance status."""
    return events_pb2.ComplianceStatus.Value(f"{_STATUS_PREFIX}{status.value}")


def status_from_proto(value: int) -> ComplianceStatus:
    """The compliance status of a proto enum value (UNSPECIFIED is refused)."""
    name = events_pb2.ComplianceStatus.Name(value)  # type: ignore[arg-type]
    return ComplianceStatus(name.removeprefix(_STATUS_PREFIX))


class AllocationEventCodec:
    """Encodes and decodes the allocation service's own events."""

    def encode(self, event: Event) -> tuple[str, bytes]:
        """The event's type name and protobuf payload."""
        fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
        if isinstance(fields.get("status"), ComplianceStatus):
            fields["status"] = status_to_proto(fields["status"])
        message = _PROTO[type(event)](**fields)
        return message.DESCRIPTOR.full_name, message.SerializeToString()

    def decode(self, event_type: str, payload: bytes) -> Event | None:
        """The domain event of a stored one; None for a type this service does not know."""
        cls = _DOMAIN.get(event_type)
        if cls is None:
            return None
        message = _PROTO[cls].FromString(payload)
        fields = {f.name: getattr(message, f.name) for f in dataclasses.fields(cls)}
        if "status" in fields:
            fields["status"] = status_from_proto(fields["status"])
        event: Event = cls(**fields)
        return event


class RegistryEvents:
    """The registry's events that matter here: surrenders, counted against obligations."""

    def command_for(self, envelope: EventEnvelope) -> RecordSurrender | None:
        """A RecordSurrender for an AllowancesSurrendered; None for any other event."""
        if envelope.event_type != SURRENDERED:
            return None
        surrendered = registry_pb2.AllowancesSurrendered.FromString(envelope.payload)
        return RecordSurrender(
            account_id=surrendered.account_id,
            instrument=surrendered.instrument,
            quantity_tonnes=surrendered.quantity_tonnes,
            compliance_year=surrendered.compliance_year,
            source_event_id=envelope.event_id,
        )
