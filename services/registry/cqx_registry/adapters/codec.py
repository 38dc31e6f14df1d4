"""Domain events ↔ ``cqx.registry.v1`` messages; the stored type is the message's full name.

The fields match by name, with ``quantity`` stored as ``quantity_tonnes``. A trade delivery
is recorded once on the seller's stream and once on the buyer's (one message type); which leg
a recorded one applies follows from its stream.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from cqx.registry.v1 import events_pb2 as pb
from google.protobuf.message import Message

from cqx_registry.domain import events as ev
from cqx_registry.domain.commands import AccountKind
from cqx_registry.domain.events import DeliveryLeg, Event

_MESSAGES: dict[type[Any], type[Message]] = {
    ev.AccountOpened: pb.AccountOpened,
    ev.AllowancesIssued: pb.AllowancesIssued,
    ev.IssuanceRejected: pb.IssuanceRejected,
    ev.MovedToTrading: pb.MovedToTrading,
    ev.MoveFromTradingRequested: pb.MoveFromTradingRequested,
    ev.MovedFromTrading: pb.MovedFromTrading,
    ev.MoveFromTradingRefused: pb.MoveFromTradingRefused,
    ev.TransferProposed: pb.TransferProposed,
    ev.TransferCompleted: pb.TransferCompleted,
    ev.TransferTerminated: pb.TransferTerminated,
    ev.AllowancesSurrendered: pb.AllowancesSurrendered,
    ev.AllowancesCancelled: pb.AllowancesCancelled,
    ev.HoldingFrozen: pb.HoldingFrozen,
    ev.HoldingUnfrozen: pb.HoldingUnfrozen,
    ev.TradeDeliveryApplied: pb.TradeDeliveryApplied,
    ev.TradeDeliveryRejected: pb.TradeDeliveryRejected,
}
_EVENTS: dict[str, type[Any]] = {m.DESCRIPTOR.full_name: e for e, m in _MESSAGES.items()}
_KINDS: dict[AccountKind, pb.AccountKind.ValueType] = {
    AccountKind.COVERED_ENTITY: pb.ACCOUNT_KIND_COVERED_ENTITY,
    AccountKind.INSTITUTION: pb.ACCOUNT_KIND_INSTITUTION,
    AccountKind.ISSUANCE: pb.ACCOUNT_KIND_ISSUANCE,
    AccountKind.EXCHANGE: pb.ACCOUNT_KIND_EXCHANGE,
    AccountKind.CANCELLATION: pb.ACCOUNT_KIND_CANCELLATION,
}
_KIND_OF: dict[int, AccountKind] = {int(number): kind for kind, number in _KINDS.items()}
_RENAMED = {"quantity": "quantity_tonnes"}
_NOT_STORED = {"leg"}


class UnknownEventTypeError(ValueError):
    """The log holds a type this codec does not know: a newer writer, or a defect."""


def event_type(event: Event) -> str:
    """The stored type of ``event``: its message's full name (``cqx.registry.v1.…``)."""
    return _MESSAGES[type(event)].DESCRIPTOR.full_name


def encode(event: Event) -> tuple[str, bytes]:
    """The stored type and payload of ``event``."""
    message = _MESSAGES[type(event)]()
    for field in dataclasses.fields(event):
        if field.name in _NOT_STORED:
            continue
        value = getattr(event, field.name)
        if isinstance(value, AccountKind):
            value = kind_number(value)
        setattr(message, _RENAMED.get(field.name, field.name), value)
    return message.DESCRIPTOR.full_name, message.SerializeToString()


def decode(type_name: str, payload: bytes, stream_id: str) -> Event:
    """The domain event stored as ``type_name``/``payload`` on ``stream_id``."""
    event_class = _EVENTS.get(type_name)
    if event_class is None:
        raise UnknownEventTypeError(f"not a registry event type: {type_name}")
    message = _MESSAGES[event_class].FromString(payload)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(event_class):
        if field.name not in _NOT_STORED:
            values[field.name] = getattr(message, _RENAMED.get(field.name, field.name))
    if event_class is ev.AccountOpened:
        values["kind"] = _KIND_OF[values["kind"]]
    if event_class is ev.TradeDeliveryApplied:
        values["leg"] = delivery_leg(
            values["seller_account_id"], values["buyer_account_id"], stream_id
        )
    event: Event = event_class(**values)
    return event


def kind_number(kind: AccountKind) -> pb.AccountKind.ValueType:
    """The ``AccountKind`` enum number of a domain account kind."""
    return _KINDS[kind]


def account_kind(number: int) -> AccountKind | None:
    """The domain account kind of an enum number (None for UNSPECIFIED or unknown)."""
    return _KIND_OF.get(number)


def account_stream(account_id: str) -> str:
    """The stream of everything about one account's holdings."""
    return f"account-{account_id}"


REJECTIONS_STREAM = "rejections"


def delivery_leg(seller: str, buyer: str, stream_id: str) -> DeliveryLeg:
    """Which leg a delivery recorded on ``stream_id`` applies."""
    if seller == buyer:
        return DeliveryLeg.BOTH
    return DeliveryLeg.SELLER if stream_id == account_stream(seller) else DeliveryLeg.BUYER


def stream_of(event: Event) -> str:
    """The stream an event is recorded on."""
    match event:
        case ev.IssuanceRejected() | ev.TradeDeliveryRejected():
            return REJECTIONS_STREAM
        case ev.TradeDeliveryApplied(leg=DeliveryLeg.BUYER):
            return account_stream(event.buyer_account_id)
        case ev.TradeDeliveryApplied():
            return account_stream(event.seller_account_id)
        case ev.TransferProposed() | ev.TransferCompleted() | ev.TransferTerminated():
            return account_stream(event.from_account_id)
    return account_stream(event.account_id)
