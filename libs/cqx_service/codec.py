"""Domain events ↔ contract messages, for every service: a table of pairs, the units written once.

A service's domain names money and quantities plainly (``price``, ``quantity``, ``amount``);
its contract names their units (``price_fen``, ``quantity_tonnes``, ``amount_fen``). The
renames are :data:`UNIT_RENAMES`, the same for all four services. Each pair (a domain
dataclass and its proto message) is converted field by field from a plan made once from the
dataclass's type hints and the message's descriptor:

- an ``Enum`` member ``M`` crosses as the contract's ``<ENUM_NAME>_M`` number (``Side.BUY`` ↔
  ``SIDE_BUY``, ``AccountKind.ISSUANCE`` ↔ ``ACCOUNT_KIND_ISSUANCE``); an optional enum that is
  absent is the ``_UNSPECIFIED`` zero;
- a ``date`` is ``yyyy-mm-dd``; an absent optional string is the empty string;
- anything else (ints, strings, bools) crosses unchanged.

The stored event type is the message's full name (``cqx.registry.v1.MovedToTrading``).
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

from google.protobuf.descriptor import EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message

E = TypeVar("E")

UNIT_RENAMES: Mapping[str, str] = {
    "account": "account_id",
    "amount": "amount_fen",
    "at": "occurred_at_us",
    "buyer": "buyer_account_id",
    "buyer_fee": "buyer_fee_fen",
    "buyer_paid": "buyer_paid_fen",
    "cash_moved": "cash_moved_fen",
    "close": "close_fen",
    "counterparty": "counterparty_account_id",
    "day": "trading_date",
    "fee": "fee_fen",
    "filled": "filled_tonnes",
    "high": "high_fen",
    "listed_turnover": "listed_turnover_fen",
    "listed_volume": "listed_volume_tonnes",
    "low": "low_fen",
    "open": "open_fen",
    "previous_close": "previous_close_fen",
    "price": "price_fen",
    "quantity": "quantity_tonnes",
    "reserve_price": "reserve_price_fen",
    "seller": "seller_account_id",
    "seller_fee": "seller_fee_fen",
    "seller_received": "seller_received_fen",
    "trades": "trade_count",
    "turnover": "turnover_fen",
    "volume": "volume_tonnes",
    "window_end": "window_end_us",
    "window_start": "window_start_us",
}
"""Domain field name → contract field name, where the contract names a unit or an id."""

Convert = Callable[[Any], Any]
DecodeExtra = Callable[[type[Any], Any, str], Mapping[str, Any]]
"""Values of the fields a message does not carry: (domain class, message, stream id) → values."""


class UnknownEventTypeError(ValueError):
    """The log holds a type this codec does not know: a newer writer, or a defect."""


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """One field: its names on both sides and how its value crosses."""

    domain: str
    proto: str
    out: Convert
    back: Convert


def _same(value: Any) -> Any:
    return value


def enum_prefix(enum: EnumDescriptor) -> str:
    """``ACCOUNT_KIND`` for the contract enum ``AccountKind`` (buf style: the values carry it)."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", enum.name).upper()


def enum_numbers(kind: type[Enum], enum: EnumDescriptor) -> dict[Any, int]:
    """Each member of ``kind`` → the number of ``<PREFIX>_<member value>`` in ``enum``."""
    prefix = enum_prefix(enum)
    missing = [m for m in kind if f"{prefix}_{m.value}" not in enum.values_by_name]
    if missing:
        raise TypeError(f"{enum.full_name} has no value for {', '.join(map(str, missing))}")
    return {member: enum.values_by_name[f"{prefix}_{member.value}"].number for member in kind}


def _enum_converters(
    kind: type[Enum], field: FieldDescriptor, optional: bool
) -> tuple[Convert, Convert]:
    if field.enum_type is None:
        raise TypeError(f"{field.full_name} is not an enum, but {kind.__name__} is")
    numbers = enum_numbers(kind, field.enum_type)
    members = {number: member for member, number in numbers.items()}
    if optional:
        return (lambda v: 0 if v is None else numbers[v]), members.get
    return numbers.__getitem__, members.__getitem__


def _converters(hint: Any, field: FieldDescriptor) -> tuple[Convert, Convert]:
    optional = get_origin(hint) in (Union, types.UnionType)
    base = next(h for h in get_args(hint) if h is not type(None)) if optional else hint
    if isinstance(base, type) and issubclass(base, Enum):
        return _enum_converters(base, field, optional)
    if base is date:
        if optional:
            return (lambda v: v.isoformat() if v else ""), (
                lambda s: date.fromisoformat(s) if s else None
            )
        return date.isoformat, date.fromisoformat
    if base is str and optional:
        return (lambda v: v or ""), (lambda v: v or None)
    return _same, _same


def plan(
    domain: type[Any],
    proto: type[Message],
    *,
    skip: Iterable[str] = (),
    renames: Mapping[str, str] = UNIT_RENAMES,
) -> list[FieldPlan]:
    """The conversion plan of ``domain`` ↔ ``proto``; every field not skipped must have a home."""
    hints = get_type_hints(domain)
    names = proto.DESCRIPTOR.fields_by_name
    skipped = set(skip)
    plans = []
    for f in dataclasses.fields(domain):
        if f.name in skipped:
            continue
        target = renames.get(f.name, f.name)
        if target not in names:
            raise TypeError(f"{proto.DESCRIPTOR.full_name} has no field for {f.name}")
        descriptor: FieldDescriptor = names[target]  # type: ignore[assignment]
        out, back = _converters(hints[f.name], descriptor)
        plans.append(FieldPlan(f.name, target, out, back))
    return plans


class EventCodec(Generic[E]):
    """A service's own events: ``encode`` to ``(type, payload)``, ``decode`` back.

    ``pairs`` is the table of (domain event class, contract message class). ``skip`` names
    domain fields no message stores (they are derived on decoding by ``decode_extra``, given
    the domain class, the message and the stream id).
    """

    def __init__(
        self,
        pairs: Iterable[tuple[type[Any], type[Message]]],
        *,
        skip: Collection[str] = (),
        decode_extra: DecodeExtra | None = None,
        renames: Mapping[str, str] = UNIT_RENAMES,
    ) -> None:
        self._plans: dict[type[Any], tuple[type[Message], list[FieldPlan]]] = {}
        self._by_type: dict[str, type[Any]] = {}
        for domain, proto in pairs:
            self._plans[domain] = (proto, plan(domain, proto, skip=skip, renames=renames))
            self._by_type[proto.DESCRIPTOR.full_name] = domain
        self._decode_extra = decode_extra

    @property
    def event_types(self) -> frozenset[str]:
        """The stored types of every event this codec knows."""
        return frozenset(self._by_type)

    def knows(self, event_type: str) -> bool:
        """Whether ``event_type`` is one of this service's events."""
        return event_type in self._by_type

    def event_type(self, event: E) -> str:
        """The stored type of ``event``: its message's full name."""
        return self._plans[type(event)][0].DESCRIPTOR.full_name

    def to_message(self, event: E) -> Message:
        """The contract message of a domain event."""
        proto, fields = self._plans[type(event)]
        return proto(**{f.proto: f.out(getattr(event, f.domain)) for f in fields})

    def encode(self, event: E) -> tuple[str, bytes]:
        """The stored type and payload of ``event``."""
        message = self.to_message(event)
        return message.DESCRIPTOR.full_name, message.SerializeToString()

    def decode(self, event_type: str, payload: bytes, stream_id: str = "") -> E:
        """The domain event stored as ``event_type``/``payload`` on ``stream_id``."""
        domain = self._by_type.get(event_type)
        if domain is None:
            raise UnknownEventTypeError(f"not an event type of this service: {event_type}")
        proto, fields = self._plans[domain]
        message = proto.FromString(payload)
        values = {f.domain: f.back(getattr(message, f.proto)) for f in fields}
        if self._decode_extra is not None:
            values.update(self._decode_extra(domain, message, stream_id))
        event: E = domain(**values)
        return event
