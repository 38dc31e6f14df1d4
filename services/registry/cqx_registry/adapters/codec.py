"""Domain events ↔ ``cqx.registry.v1`` messages (the shared codec: a table of pairs).

The fields match by name, with ``quantity`` stored as ``quantity_tonnes`` and the account kind
as the contract's enum. A trade delivery is recorded once on the seller's stream and once on
the buyer's (one message type); which leg a recorded one applies follows from its stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cqx.registry.v1 import events_pb2 as pb

from cqx_registry.domain import events as ev
from cqx_registry.domain.commands import AccountKind
from cqx_registry.domain.events import Event
from cqx_registry.domain.streams import delivery_leg
from cqx_service.codec import EventCodec, enum_numbers


def _leg(domain: type[Any], message: Any, stream_id: str) -> Mapping[str, Any]:
    if domain is not ev.TradeDeliveryApplied:
        return {}
    return {"leg": delivery_leg(message.seller_account_id, message.buyer_account_id, stream_id)}


CODEC: EventCodec[Event] = EventCodec(
    (
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
    decode_extra=_leg,
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
