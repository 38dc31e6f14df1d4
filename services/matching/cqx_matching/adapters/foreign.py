"""The registry's and settlement's events the exchange acts on, as risk-ledger commands.

``MovedToTrading`` credits allowances (``AllowancesCredited``); ``MoveFromTradingRequested``
asks to take free allowances out (``AllowanceWithdrawalApproved`` or ``…Refused``);
``FundsDeposited`` credits cash (``FundsCredited``); ``CashWithdrawalRequested`` asks to take
free cash out (``CashWithdrawalApproved`` or ``…Refused``); ``ParticipantRestricted`` stops
the participant's accounts trading and cancels their resting orders (``TradingRestricted``),
``ParticipantReinstated`` lets them trade again (R-A5). Everything else is not ours.
"""

from __future__ import annotations

from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.registry.v1 import events_pb2 as registry
from cqx.settlement.v1 import events_pb2 as settlement

from cqx_matching.application.foreign_events import ForeignRequest
from cqx_matching.application.provenance import Provenance
from cqx_matching.domain import (
    AssignAllowances,
    DepositFunds,
    ReinstateTrading,
    RestrictTrading,
    WithdrawAllowances,
    WithdrawFunds,
)
from cqx_service import ForeignEvents


def _moved_in(m: registry.MovedToTrading, envelope: EventEnvelope) -> ForeignRequest:
    return ForeignRequest(
        lambda at: AssignAllowances(m.account_id, m.instrument, m.quantity_tonnes, at),
        Provenance(source_event_id=envelope.event_id),
    )


def _moving_out(m: registry.MoveFromTradingRequested, envelope: EventEnvelope) -> ForeignRequest:
    return ForeignRequest(
        lambda at: WithdrawAllowances(m.account_id, m.instrument, m.quantity_tonnes, at),
        Provenance(
            source_event_id=envelope.event_id, move_id=m.move_id, quantity=m.quantity_tonnes
        ),
    )


def _restricted(m: registry.ParticipantRestricted, envelope: EventEnvelope) -> ForeignRequest:
    accounts = frozenset(m.account_ids)
    return ForeignRequest(
        lambda at: RestrictTrading(m.participant_id, accounts, m.reason, at),
        Provenance(source_event_id=envelope.event_id),
    )


def _reinstated(m: registry.ParticipantReinstated, envelope: EventEnvelope) -> ForeignRequest:
    accounts = frozenset(m.account_ids)
    return ForeignRequest(
        lambda at: ReinstateTrading(m.participant_id, accounts, at),
        Provenance(source_event_id=envelope.event_id),
    )


def _deposited(m: settlement.FundsDeposited, envelope: EventEnvelope) -> ForeignRequest:
    return ForeignRequest(
        lambda at: DepositFunds(m.account_id, m.amount_fen, at),
        Provenance(source_event_id=envelope.event_id),
    )


def _withdrawing(m: settlement.CashWithdrawalRequested, envelope: EventEnvelope) -> ForeignRequest:
    return ForeignRequest(
        lambda at: WithdrawFunds(m.account_id, m.amount_fen, at),
        Provenance(
            source_event_id=envelope.event_id, withdrawal_id=m.withdrawal_id, quantity=m.amount_fen
        ),
    )


FOREIGN: ForeignEvents[ForeignRequest] = ForeignEvents(
    {
        "registry": {
            registry.MovedToTrading: _moved_in,
            registry.MoveFromTradingRequested: _moving_out,
            registry.ParticipantRestricted: _restricted,
            registry.ParticipantReinstated: _reinstated,
        },
        "settlement": {
            settlement.FundsDeposited: _deposited,
            settlement.CashWithdrawalRequested: _withdrawing,
        },
    }
)
