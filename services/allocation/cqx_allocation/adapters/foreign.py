"""The registry's events the allocation service acts on: surrenders, counted against
obligations."""

from __future__ import annotations

from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.registry.v1 import events_pb2 as registry

from cqx_allocation.domain.commands import Command, RecordSurrender
from cqx_service import ForeignEvents


def _surrendered(m: registry.AllowancesSurrendered, envelope: EventEnvelope) -> Command:
    return RecordSurrender(
        account_id=m.account_id,
        instrument=m.instrument,
        quantity_tonnes=m.quantity_tonnes,
        compliance_year=m.compliance_year,
        source_event_id=envelope.event_id,
    )


FOREIGN: ForeignEvents[Command] = ForeignEvents(
    {"registry": {registry.AllowancesSurrendered: _surrendered}}
)
