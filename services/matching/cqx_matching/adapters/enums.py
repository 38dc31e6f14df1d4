"""The engine's enums ↔ the contract's enum numbers (``Side.BUY`` ↔ ``SIDE_BUY``), made once
by the shared codec's rule (:func:`cqx_service.codec.enum_numbers`)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from cqx.matching.v1 import events_pb2 as pb

from cqx_matching.domain import (
    BiddingAllocation,
    CancelReason,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
    TradingMode,
)
from cqx_service.codec import enum_numbers

_KINDS: tuple[type[Enum], ...] = (
    Side, TradingMode, OrderType, TimeInForce, CancelReason, SelfTradePrevention,
    BiddingAllocation,
)  # fmt: skip

# Values are the generated enums' numbers (typed loosely: the stubs' ValueType is an int).
ENUM_TO: dict[Any, Any] = {}
ENUM_FROM: dict[type[Enum], dict[int, Any]] = {}
for _kind in _KINDS:
    _numbers = enum_numbers(_kind, pb.DESCRIPTOR.enum_types_by_name[_kind.__name__])
    ENUM_TO.update(_numbers)
    ENUM_FROM[_kind] = {number: member for member, number in _numbers.items()}
