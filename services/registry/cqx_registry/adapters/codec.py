"""Domain events ↔ ``cqx.registry.v1`` messages (the shared codec: a table of pairs).

The fields match by name, with ``quantity`` stored as ``quantity_tonnes`` and the account and
participant kinds as the contract's enums. A trade delivery is recorded once on the seller's
stream and once on the buyer's (one message type); which leg a recorded one applies follows
from its stream. A participant's ``account_ids`` cross as a repeated field, back as a tuple.
An ``AccountOpened`` recorded before participants existed has no ``participant_id``: it
decodes with "" (the account belongs to no participant; decision 0013).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cqx.registry.v1 import events_pb2 as pb

from cqx_registry.domain import events as ev
from cqx_registry.domain.commands import AccountKind, ParticipantKind
from cqx_registry.domain.events import Event
from cqx_registry.domain.streams import delivery_leg
from cqx_service.codec import EventCodec, enum_numbers


def _derived(domain: type[Any], message: Any, stream_id: str) -> Mapping[str, Any]:
    """What a message does not say as the domain wants it: a delivery's leg (from its
    stream), a participant's accounts as a tuple."""
    if domain is ev.TradeDeliveryApplied:
        seller, buyer = message.seller_account_id, message.buyer_account_id
        return {"leg": delivery_leg(seller, buyer, stream_id)}
    if domain in (ev.ParticipantRestricted, ev.ParticipantReinstated):
        return {"account_ids": tuple(message.account_ids)}
    return {}


CODEC: EventCodec[Event] = EventCodec(
    (
        (ev.ParticipantRegistered, pb.ParticipantRegistered),
        (ev.ParticipantRestricted, pb.ParticipantRestricted),
        (ev.ParticipantReinstated, pb.ParticipantReinstated),
        (ev.AccountOpened, pb.AccountOpened),
        (ev.AllowancesIssued, pb.AllowancesIssued),
        (ev.IssuanceRejected, pb.IssuanceRejected),
        (ev.MovedToTrading, pb.MovedToTrading),
        (ev.MoveFromTradingRequested, pb.MoveFromTradingRequested),
        (ev.MovedFromTrading, pb.MovedFromTrading),
        (ev.MoveFromTradingRefused, pb.MoveFromTradingRefused),
        (ev.TransferProposed, pb.TransferProposed),
        (ev.TransferCompleted, pb.TransferCompleted),
        (ev.TransferTerminated, pb.TransferTerminated),
        (ev.AllowancesSurrendered, pb.AllowancesSurrendered),
        (ev.AllowancesCancelled, pb.AllowancesCancelled),
        (ev.HoldingFrozen, pb.HoldingFrozen),
        (ev.HoldingUnfrozen, pb.HoldingUnfrozen),
        (ev.TradeDeliveryApplied, pb.TradeDeliveryApplied),
        (ev.TradeDeliveryRejected, pb.TradeDeliveryRejected),
    ),
    skip={"leg"},
    decode_extra=_derived,
)
encode = CODEC.encode
decode = CODEC.decode

_KINDS = enum_numbers(AccountKind, pb.AccountKind.DESCRIPTOR)
_KIND_OF = {number: kind for kind, number in _KINDS.items()}


def kind_number(kind: AccountKind) -> pb.AccountKind.ValueType:
    """The ``AccountKind`` enum number of a domain account kind."""
    return pb.AccountKind.ValueType(_KINDS[kind])


def account_kind(number: int) -> AccountKind | None:
    """The domain account kind of an enum number (None for UNSPECIFIED or unknown)."""
    return _KIND_OF.get(number)


_PARTICIPANT_KINDS = enum_numbers(ParticipantKind, pb.ParticipantKind.DESCRIPTOR)
_PARTICIPANT_KIND_OF = {number: kind for kind, number in _PARTICIPANT_KINDS.items()}


def participant_kind_number(kind: ParticipantKind) -> pb.ParticipantKind.ValueType:
    """The ``ParticipantKind`` enum number of a domain participant kind."""
    return pb.ParticipantKind.ValueType(_PARTICIPANT_KINDS[kind])


def participant_kind(number: int) -> ParticipantKind | None:
    """The domain participant kind of an enum number (None for UNSPECIFIED or unknown)."""
    return _PARTICIPANT_KIND_OF.get(number)
