"""Field-by-field conversion plans between an engine dataclass and its contract message.

A plan is made once per pair from the dataclass's type hints: enums become the contract's
enum numbers (``Side.BUY`` ↔ ``SIDE_BUY``), dates ``yyyy-mm-dd``, an absent optional string
the empty string, an absent optional enum the ``_UNSPECIFIED`` zero.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

from cqx.matching.v1 import events_pb2 as pb
from google.protobuf.message import Message

from cqx_matching.domain import (
    BiddingAllocation,
    CancelReason,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
    TradingMode,
)

RENAMES = {
    "account": "account_id",
    "price": "price_fen",
    "quantity": "quantity_tonnes",
    "amount": "amount_fen",
    "at": "occurred_at_us",
    "day": "trading_date",
    "buyer": "buyer_account_id",
    "seller": "seller_account_id",
    "buyer_fee": "buyer_fee_fen",
    "seller_fee": "seller_fee_fen",
    "counterparty": "counterparty_account_id",
    "reserve_price": "reserve_price_fen",
    "window_start": "window_start_us",
    "window_end": "window_end_us",
    "filled": "filled_tonnes",
    "previous_close": "previous_close_fen",
    "open": "open_fen",
    "high": "high_fen",
    "low": "low_fen",
    "close": "close_fen",
    "volume": "volume_tonnes",
    "turnover": "turnover_fen",
    "listed_volume": "listed_volume_tonnes",
    "listed_turnover": "listed_turnover_fen",
    "trades": "trade_count",
}

_PREFIXES: dict[type[Enum], str] = {
    Side: "SIDE",
    TradingMode: "TRADING_MODE",
    OrderType: "ORDER_TYPE",
    TimeInForce: "TIME_IN_FORCE",
    CancelReason: "CANCEL_REASON",
    SelfTradePrevention: "SELF_TRADE_PREVENTION",
    BiddingAllocation: "BIDDING_ALLOCATION",
}


def _numbers(kind: type[Enum], prefix: str) -> dict[Any, Any]:
    enum = pb.DESCRIPTOR.enum_types_by_name[kind.__name__]
    return {member: enum.values_by_name[f"{prefix}_{member.value}"].number for member in kind}


# Values are the generated enums' numbers (typed loosely: the stubs' ValueType is an int).
ENUM_TO: dict[Any, Any] = {}
ENUM_FROM: dict[type[Enum], dict[int, Any]] = {}
for _kind, _prefix in _PREFIXES.items():
    _map = _numbers(_kind, _prefix)
    ENUM_TO.update(_map)
    ENUM_FROM[_kind] = {number: member for member, number in _map.items()}

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """One field: its names on both sides and how its value crosses."""

    domain: str
    proto: str
    out: Convert
    back: Convert


def _optional_enum(kind: type[Enum]) -> tuple[Convert, Convert]:
    table = ENUM_FROM[kind]
    return (lambda v: 0 if v is None else ENUM_TO[v]), (lambda n: table.get(n))


def _converters(hint: Any) -> tuple[Convert, Convert]:
    optional = get_origin(hint) in (Union, types.UnionType)
    base = next(h for h in get_args(hint) if h is not type(None)) if optional else hint
    if isinstance(base, type) and issubclass(base, Enum):
        if optional:
            return _optional_enum(base)
        table = ENUM_FROM[base]
        return ENUM_TO.__getitem__, table.__getitem__
    if base is date:
        return date.isoformat, date.fromisoformat
    if base is str and optional:
        return (lambda v: v or ""), (lambda v: v or None)
    return _same, _same


def plan(domain: type[Any], proto: type[Message], skip: Iterable[str] = ()) -> list[FieldPlan]:
    """The conversion plan of ``domain`` ↔ ``proto``; every field must have a home."""
    hints = get_type_hints(domain)
    names = proto.DESCRIPTOR.fields_by_name
    plans = []
    for f in fields(domain):
        if f.name in skip:
            continue
        target = RENAMES.get(f.name, f.name)
        if target not in names:
            raise TypeError(f"{proto.DESCRIPTOR.full_name} has no field for {f.name}")
        out, back = _converters(hints[f.name])
        plans.append(FieldPlan(f.name, target, out, back))
    return plans
