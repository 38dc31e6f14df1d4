"""Which stream each registry event is recorded on (the registry's published contract: the
settlement service reads a delivery's side from it)."""

from __future__ import annotations

from cqx_registry.domain import events as ev
from cqx_registry.domain.events import DeliveryLeg, Event

REJECTIONS_STREAM = "rejections"


def account_stream(account_id: str) -> str:
    """The stream of everything about one account's holdings."""
    return f"account-{account_id}"


def participant_stream(participant_id: str) -> str:
    """The stream of a participant's registration and status."""
    return f"participant-{participant_id}"


def delivery_leg(seller: str, buyer: str, stream_id: str) -> DeliveryLeg:
    """Which leg a delivery recorded on ``stream_id`` applies."""
    if seller == buyer:
        return DeliveryLeg.BOTH
    return DeliveryLeg.SELLER if stream_id == account_stream(seller) else DeliveryLeg.BUYER


def stream_of(event: Event) -> str:
    """The stream an event is recorded on."""
    match event:
        case ev.ParticipantRegistered() | ev.ParticipantRestricted() | ev.ParticipantReinstated():
            return participant_stream(event.participant_id)
        case ev.IssuanceRejected() | ev.TradeDeliveryRejected():
            return REJECTIONS_STREAM
        case ev.TradeDeliveryApplied(leg=DeliveryLeg.BUYER):
            return account_stream(event.buyer_account_id)
        case ev.TradeDeliveryApplied():
            return account_stream(event.seller_account_id)
        case ev.TransferProposed() | ev.TransferCompleted() | ev.TransferTerminated():
            return account_stream(event.from_account_id)
    return account_stream(event.account_id)
