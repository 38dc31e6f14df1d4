"""Domain events ↔ ``cqx.settlement.v1`` messages; the stored type is the proto full name.

The domain names money and quantities plainly (``amount``, ``quantity``); the contract names
their units (``amount_fen``, ``quantity_tonnes``). Every other field has the same name.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from cqx.settlement.v1 import events_pb2
from google.protobuf.message import Message

from cqx_settlement.domain import events

_UNITS = {
    "amount": "amount_fen",
    "quantity": "quantity_tonnes",
    "price": "price_fen",
    "buyer_paid": "buyer_paid_fen",
    "seller_received": "seller_received_fen",
    "fee": "fee_fen",
    "buyer_fee": "buyer_fee_fen",
    "seller_fee": "seller_fee_fen",
    "volume": "volume_tonnes",
    "turnover": "turnover_fen",
    "cash_moved": "cash_moved_fen",
}

_PAIRS: tuple[tuple[type[Any], type[Message]], ...] = (
    (events.FundsDeposited, events_pb2.FundsDeposited),
    (events.CashWithdrawalRequested, events_pb2.CashWithdrawalRequested),
    (events.CashWithdrawn, events_pb2.CashWithdrawn),
    (events.CashWithdrawalRefused, events_pb2.CashWithdrawalRefused),
    (events.TradeSettled, events_pb2.TradeSettled),
    (events.TradeSettlementFailed, events_pb2.TradeSettlementFailed),
    (events.ExchangeDayReported, events_pb2.ExchangeDayReported),
    (events.SettlementDayClosed, events_pb2.SettlementDayClosed),
    (events.ReconciliationBreak, events_pb2.ReconciliationBreak),
    (events.DeliveryConfirmed, events_pb2.DeliveryConfirmed),
    (events.DeliveryRefused, events_pb2.DeliveryRefused),
)
_PROTO_OF: dict[type[Any], type[Message]] = dict(_PAIRS)
_DOMAIN_OF: dict[str, type[Any]] = {proto.DESCRIPTOR.full_name: domain for domain, proto in _PAIRS}
_PROTO_BY_NAME: dict[str, type[Message]] = {p.DESCRIPTOR.full_name: p for _, p in _PAIRS}


def event_type(event: events.Event) -> str:
    """The stored type of ``event``: its message's full name (``cqx.settlement.v1.…``)."""
    return _PROTO_OF[type(event)].DESCRIPTOR.full_name


def to_message(event: events.Event) -> Message:
    """The contract message of a domain event."""
    proto = _PROTO_OF[type(event)]
    values = {_UNITS.get(f.name, f.name): getattr(event, f.name) for f in dataclasses.fields(event)}
    return proto(**values)


def encode(event: events.Event) -> tuple[str, bytes]:
    """``(event_type, payload)`` of a domain event."""
    return event_type(event), to_message(event).SerializeToString()


def decode(event_type: str, payload: bytes) -> events.Event:
    """The domain event stored as ``(event_type, payload)``; KeyError for a foreign type."""
    domain = _DOMAIN_OF[event_type]
    message = _PROTO_BY_NAME[event_type].FromString(payload)
    values = {
        f.name: getattr(message, _UNITS.get(f.name, f.name)) for f in dataclasses.fields(domain)
    }
    event: events.Event = domain(**values)
    return event


def is_own(event_type: str) -> bool:
    """Whether ``event_type`` is one of the events this codec knows."""
    return event_type in _DOMAIN_OF
