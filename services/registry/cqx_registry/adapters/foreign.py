"""Other services' events the registry acts on, as its commands (the rest are ignored)."""

from __future__ import annotations

from cqx.allocation.v1 import events_pb2 as allocation
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import events_pb2 as matching
from cqx.settlement.v1 import events_pb2 as settlement

from cqx_registry.domain.commands import (
    ApproveWithdrawal,
    Command,
    DeliverTrade,
    IssueAllowances,
    RefuseWithdrawal,
)
from cqx_service import ForeignEvents


def _issue(m: allocation.AllocationIssued, envelope: EventEnvelope) -> Command:
    return IssueAllowances(
        m.issuance_id, m.account_id, m.instrument, m.quantity_tonnes, envelope.event_id
    )


def _approve(m: matching.AllowanceWithdrawalApproved, _: EventEnvelope) -> Command:
    return ApproveWithdrawal(m.move_id)


def _refuse(m: matching.AllowanceWithdrawalRefused, _: EventEnvelope) -> Command:
    return RefuseWithdrawal(m.move_id, m.reason)


def _deliver(m: settlement.TradeSettled, envelope: EventEnvelope) -> Command:
    return DeliverTrade(
        m.trade_id,
        m.seller_account_id,
        m.buyer_account_id,
        m.instrument,
        m.quantity_tonnes,
        envelope.event_id,
    )


FOREIGN: ForeignEvents[Command] = ForeignEvents(
    {
        "allocation": {allocation.AllocationIssued: _issue},
        "matching": {
            matching.AllowanceWithdrawalApproved: _approve,
            matching.AllowanceWithdrawalRefused: _refuse,
        },
        "settlement": {settlement.TradeSettled: _deliver},
    }
)
