"""Other contexts' events → the registry's commands (the rest of their events are ignored)."""

from __future__ import annotations

from collections.abc import Callable

from cqx.allocation.v1 import events_pb2 as allocation
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import events_pb2 as matching
from cqx.settlement.v1 import events_pb2 as settlement

from cqx_registry.domain.commands import (
    ApproveWithdrawal,
    DeliverTrade,
    ForeignCommand,
    IssueAllowances,
    RefuseWithdrawal,
)

SOURCE_CONTEXTS = ("allocation", "matching", "settlement")


def _issue(envelope: EventEnvelope) -> ForeignCommand:
    m = allocation.AllocationIssued.FromString(envelope.payload)
    return IssueAllowances(
        m.issuance_id, m.account_id, m.instrument, m.quantity_tonnes, envelope.event_id
    )


def _approve(envelope: EventEnvelope) -> ForeignCommand:
    return ApproveWithdrawal(
        matching.AllowanceWithdrawalApproved.FromString(envelope.payload).move_id
    )


def _refuse(envelope: EventEnvelope) -> ForeignCommand:
    m = matching.AllowanceWithdrawalRefused.FromString(envelope.payload)
    return RefuseWithdrawal(m.move_id, m.reason)


def _deliver(envelope: EventEnvelope) -> ForeignCommand:
    m = settlement.TradeSettled.FromString(envelope.payload)
    return DeliverTrade(
        m.trade_id,
        m.seller_account_id,
        m.buyer_account_id,
        m.instrument,
        m.quantity_tonnes,
        envelope.event_id,
    )


_COMMANDS: dict[str, Callable[[EventEnvelope], ForeignCommand]] = {
    allocation.AllocationIssued.DESCRIPTOR.full_name: _issue,
    matching.AllowanceWithdrawalApproved.DESCRIPTOR.full_name: _approve,
    matching.AllowanceWithdrawalRefused.DESCRIPTOR.full_name: _refuse,
    settlement.TradeSettled.DESCRIPTOR.full_name: _deliver,
}
# The only event types the registry acts on: its consumers look no others up.
EVENT_TYPES = frozenset(_COMMANDS)


def foreign_command(envelope: EventEnvelope) -> ForeignCommand | None:
    """The command a foreign event asks of the registry, or None if it asks nothing."""
    make = _COMMANDS.get(envelope.event_type)
    return make(envelope) if make is not None else None


def reaction_metadata(envelope: EventEnvelope) -> dict[str, str]:
    """Metadata for the events a foreign event causes: its correlation, caused by it."""
    correlation = envelope.metadata.get("correlation_id") or envelope.event_id
    return {"correlation_id": correlation, "causation_id": envelope.event_id}
