"""Domain events ↔ ``cqx.allocation.v1`` messages (the shared codec: a table of pairs).

Each domain event has the name of its proto message; the compliance status crosses as the
contract's enum (``ComplianceStatus.A`` ↔ ``COMPLIANCE_STATUS_A``).
"""

from __future__ import annotations

from cqx.allocation.v1 import events_pb2

from cqx_allocation.domain.events import EVENT_TYPES, ComplianceStatus, Event
from cqx_service.codec import EventCodec, enum_numbers

CODEC: EventCodec[Event] = EventCodec(
    (cls, getattr(events_pb2, cls.__name__)) for cls in EVENT_TYPES
)
_STATUS_NUMBERS = enum_numbers(ComplianceStatus, events_pb2.ComplianceStatus.DESCRIPTOR)


def status_to_proto(status: ComplianceStatus) -> events_pb2.ComplianceStatus.ValueType:
    """The proto enum value of a compliance status."""
    return events_pb2.ComplianceStatus.ValueType(_STATUS_NUMBERS[status])
