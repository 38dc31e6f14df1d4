"""The registry's and settlement's events the exchange acts on, as risk-ledger commands.

``MovedToTrading`` credits allowances (``AllowancesCredited``); ``MoveFromTradingRequested``
asks to take free allowances out (``AllowanceWithdrawalApproved`` or ``…Refused``);
``FundsDeposited`` credits cash (``FundsCredited``); ``CashWithdrawalRequested`` asks to take
free cash out (``CashWithdrawalApproved`` or ``…Refused``). Everything else is not ours.
"""

from __future__ import annotations

from collections.abc import Callable

from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.registry.v1 import events_pb2 as registry
from cqx.settlement.v1 import events_pb2 as settlement

from cqx_matching.application.foreign_events import ForeignRequest
from cqx_matching.application.provenance import Provenance
from cqx_matching.domain import AssignAllowances, DepositFunds, WithdrawAllowances, WithdrawFunds

SOURCE_CONTEXTS = ("registry", "settlement")


def _moved_in(payload: bytes, source: str) -> ForeignRequest:
    m = registry.MovedToTrading.FromString(payload)
    return ForeignRequest(
        lambda at: AssignAllowances(m.account_id, m.instrument, m.quantity_tonnes, at),
        Provenance(source_event_id=source),
    )


def _moving_out(payload: bytes, source: str) -> ForeignRequest:
    m = registry.MoveFromTradingRequested.FromString(payload)
    return ForeignRequest(
        lambda at: WithdrawAllowances(m.account_id, m.instrument, m.quantity_tonnes, at),
        Provenance(source_event_id=source, move_id=m.move_id, quantity=m.quantity_tonnes),
    )


def _deposited(payload: bytes, source: str) -> ForeignRequest:
    m = settlement.FundsDeposited.FromString(payload)
    return ForeignRequest(
        lambda at: DepositFunds(m.account_id, m.amount_fen, at), Provenance(source_event_id=source)
    )


def _withdrawing(payload: bytes, source: str) -> ForeignRequest:
    m = settlement.CashWithdrawalRequested.FromString(payload)
    return ForeignRequest(
        lambda at: WithdrawFunds(m.account_id, m.amount_fen, at),
        Provenance(source_event_id=source, withdrawal_id=m.withdrawal_id, quantity=m.amount_fen),
    )


_TRANSLATORS: dict[str, Callable[[bytes, str], ForeignRequest]] = {
    registry.MovedToTrading.DESCRIPTOR.full_name: _moved_in,
    registry.MoveFromTradingRequested.DESCRIPTOR.full_name: _moving_out,
    settlement.FundsDeposited.DESCRIPTOR.full_name: _deposited,
    settlement.CashWithdrawalRequested.DESCRIPTOR.full_name: _withdrawing,
}
# The only event types the exchange acts on: its consumer looks no others up.
EVENT_TYPES = frozenset(_TRANSLATORS)


def request_for(envelope: EventEnvelope) -> ForeignRequest | None:
    """What a foreign event asks of the risk ledger, or None if it asks nothing."""
    translate = _TRANSLATORS.get(envelope.event_type)
    return translate(envelope.payload, envelope.event_id) if translate is not None else None
