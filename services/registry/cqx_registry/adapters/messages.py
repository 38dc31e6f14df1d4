"""Domain values → ``cqx.registry.v1`` API messages."""

from __future__ import annotations

from cqx.registry.v1 import registry_service_pb2 as api

from cqx_registry.adapters.codec import kind_number, participant_kind_number
from cqx_registry.domain.conservation import Conservation
from cqx_registry.domain.state import Account, Holding, Participant


def account_message(account: Account) -> api.Account:
    """An account as the API shows it."""
    return api.Account(
        account_id=account.account_id,
        kind=kind_number(account.kind),
        name=account.name,
        participant_id=account.participant_id,
    )


def participant_message(participant: Participant) -> api.Participant:
    """A participant as the API shows it."""
    return api.Participant(
        participant_id=participant.participant_id,
        kind=participant_kind_number(participant.kind),
        name=participant.name,
        status=(
            api.PARTICIPANT_STATUS_RESTRICTED
            if participant.restricted
            else api.PARTICIPANT_STATUS_ACTIVE
        ),
        restriction_reason=participant.restriction or "",
        account_ids=participant.account_ids,
        trading_account_id=participant.trading_account_id,
    )


def holding_message(account_id: str, instrument: str, holding: Holding) -> api.Holding:
    """A holding as the API shows it."""
    return api.Holding(
        account_id=account_id,
        instrument=instrument,
        registry_tonnes=holding.registry,
        trading_tonnes=holding.trading,
        frozen_tonnes=holding.frozen,
        pending_out_tonnes=holding.pending_out,
    )


def conservation_message(parts: Conservation) -> api.InstrumentConservation:
    """One instrument's conservation check as the API shows it."""
    return api.InstrumentConservation(
        instrument=parts.instrument,
        issued_tonnes=parts.issued,
        registry_tonnes=parts.registry,
        trading_tonnes=parts.trading,
        frozen_tonnes=parts.frozen,
        surrendered_tonnes=parts.surrendered,
        cancelled_tonnes=parts.cancelled,
        holds=parts.holds,
    )
