"""The edge's check of a request, before its handler runs: decodable, and within its bounds.

:func:`check_request` walks a request message (nested messages, repeated fields and maps too)
and refuses the first value outside its rule (:mod:`cqx_grpc.bounds`) with INVALID_ARGUMENT, an
edge reason, and metadata naming the field and what is allowed. :func:`tolerant` wraps a
method's request deserializer so that bytes which are not a valid message reach the guard as
an :class:`Undecodable` (refused as ``REQUEST_UNDECODABLE``) instead of failing inside gRPC,
which would answer UNKNOWN.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from cqx_grpc.bounds import (
    CONTROL_CHARACTER,
    ENUM_VALUE_REQUIRED,
    ENUM_VALUE_UNKNOWN,
    FIELD_TOO_LONG,
    IDENTIFIER,
    MAX_ID_LENGTH,
    MAX_ITEMS,
    REQUEST_UNDECODABLE,
    TOO_MANY_ITEMS,
    VALUE_OUT_OF_RANGE,
    EnumBound,
    IntBound,
    Rule,
    TextBound,
    Unchecked,
    rule_for,
)
from cqx_grpc.context import (
    CAUSATION_ID_KEY,
    CORRELATION_ID_KEY,
    REQUEST_ID_KEY,
    CallMetadata,
)
from cqx_kernel.errors import InvalidArgumentError


@dataclass(frozen=True, slots=True)
class Undecodable:
    """What a tolerant deserializer gives for bytes that are not a valid request."""

    error: str


def tolerant(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """``deserializer``, answering :class:`Undecodable` instead of raising."""
    if deserializer is None:
        return None

    def deserialize(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception as error:  # DecodeError, or a bug in a custom one: not our caller's
            return Undecodable(type(error).__name__)

    return deserialize


def undecodable_error() -> InvalidArgumentError:
    """The refusal of bytes that are not a valid request message."""
    return InvalidArgumentError(
        "the request is not a valid message of the method's request type",
        reason=REQUEST_UNDECODABLE,
    )


def check_call(call: CallMetadata) -> None:
    """Refuse call ids (request, correlation, causation) longer than an identifier."""
    headers = (
        (REQUEST_ID_KEY, call.request_id),
        (CORRELATION_ID_KEY, call.correlation_id),
        (CAUSATION_ID_KEY, call.causation_id),
    )
    for key, value in headers:
        if value is not None and len(value) > MAX_ID_LENGTH:
            _too_long(key, len(value), IDENTIFIER)


def check_request(request: Any) -> None:
    """Refuse ``request`` if it is undecodable or any value in it breaks its field's rule."""
    if isinstance(request, Undecodable):
        raise undecodable_error()
    if isinstance(request, Message):
        _check_message(request, "")


# How one field of a message type is walked, computed once per type (the edge checks every
# request, the hot path of an order included): ``ok`` says whether a scalar value keeps its
# rule; ``refuse`` raises the refusal naming the path; ``nested`` walks a message value.
@dataclass(frozen=True, slots=True)
class _FieldWalk:
    name: str
    shape: str  # "single", "message" (checked when set), "repeated" or "map"
    ok: Callable[[Any], bool] | None  # None: a message value, walked instead
    refuse: Callable[[Any, str], None]
    key: _FieldWalk | None = None  # a map's key and value
    value: _FieldWalk | None = None


_PLANS: dict[str, tuple[_FieldWalk, ...]] = {}


def _plan(descriptor: Any) -> tuple[_FieldWalk, ...]:
    plan = _PLANS.get(descriptor.full_name)
    if plan is None:
        walks = (_field_walk(field) for field in descriptor.fields)
        plan = _PLANS[descriptor.full_name] = tuple(w for w in walks if w is not None)
    return plan


def _field_walk(field: Any) -> _FieldWalk | None:
    entry = field.message_type
    if entry is not None and entry.GetOptions().map_entry:
        key, value = (_field_walk(entry.fields_by_name[n]) for n in ("key", "value"))
        return _FieldWalk(field.name, "map", None, _never, key, value)
    if entry is not None:
        return _FieldWalk(field.name, "repeated" if field.is_repeated else "message", None, _never)
    rule = rule_for(field)
    if rule is None or isinstance(rule, Unchecked):
        return None
    ok, refuse = _scalar_check(field, rule)
    return _FieldWalk(field.name, "repeated" if field.is_repeated else "single", ok, refuse)


def _scalar_check(
    field: Any, rule: Rule
) -> tuple[Callable[[Any], bool], Callable[[Any, str], None]]:
    if isinstance(rule, TextBound):
        limit, forbidden = rule.max_length, rule.forbidden
        if not forbidden:
            return (lambda v: len(v) <= limit), (lambda v, p: _too_long(p, len(v), rule))
        found = re.compile("[" + re.escape("".join(sorted(forbidden))) + "]").search
        return (
            lambda v: len(v) <= limit and found(v) is None,
            lambda v, p: _bad_text(p, v, rule),
        )
    if isinstance(rule, IntBound):
        return rule.allows, (lambda v, p: _out_of_range(p, rule))
    assert isinstance(rule, EnumBound)
    names = {n: v.name for n, v in sorted(field.enum_type.values_by_number.items())}
    allowed = {n: name for n, name in names.items() if n != 0 or not rule.required}
    return allowed.__contains__, (lambda v, p: _enum_refusal(p, v, list(allowed.values())))


def _never(value: Any, path: str) -> None:
    raise AssertionError(f"{path} is walked, not refused")


def _check_message(message: Message, prefix: str) -> None:
    for walk in _plan(message.DESCRIPTOR):
        value = getattr(message, walk.name)
        if walk.shape == "single":
            assert walk.ok is not None
            if not walk.ok(value):
                walk.refuse(value, prefix + walk.name)
        elif walk.shape == "message":
            if message.HasField(walk.name):
                _check_message(value, f"{prefix}{walk.name}.")
        elif walk.shape == "repeated":
            _check_items(walk, value, prefix + walk.name)
        else:
            _check_map(walk, value, prefix + walk.name)


def _check_items(walk: _FieldWalk, values: Any, path: str) -> None:
    if len(values) > MAX_ITEMS:
        _too_many(path, len(values))
    for index, value in enumerate(values):
        if walk.ok is None:
            _check_message(value, f"{path}[{index}].")
        elif not walk.ok(value):
            walk.refuse(value, f"{path}[{index}]")


def _check_map(walk: _FieldWalk, entries: Mapping[Any, Any], path: str) -> None:
    if len(entries) > MAX_ITEMS:
        _too_many(path, len(entries))
    # A key is not echoed in the path: it is what the client sent, and may be the bad value.
    for key, value in entries.items():
        for part, item in ((walk.key, key), (walk.value, value)):
            if part is None:
                continue
            where = f"{path}.{part.name}"
            if part.ok is None:
                _check_message(item, where + ".")
            elif not part.ok(item):
                part.refuse(item, where)


def _enum_refusal(path: str, value: int, allowed: list[str]) -> None:
    reason = ENUM_VALUE_REQUIRED if value == 0 else ENUM_VALUE_UNKNOWN
    said = "is required" if value == 0 else f"has no value {value}"
    raise InvalidArgumentError(
        f"{path} {said}: one of {', '.join(allowed)}",
        reason=reason,
        metadata={"field": path, "allowed": ",".join(allowed)},
    )


def _too_long(path: str, length: int, rule: TextBound) -> None:
    raise InvalidArgumentError(
        f"{path} is {length} characters long; at most {rule.max_length} ({rule.kind})",
        reason=FIELD_TOO_LONG,
        metadata={"field": path, "max_length": str(rule.max_length), "length": str(length)},
    )


def _bad_text(path: str, text: str, rule: TextBound) -> None:
    if len(text) > rule.max_length:
        _too_long(path, len(text), rule)
    index = next(i for i, c in enumerate(text) if c in rule.forbidden)
    raise InvalidArgumentError(
        f"{path} holds the control character U+{ord(text[index]):04X} at {index}",
        reason=CONTROL_CHARACTER,
        metadata={"field": path, "index": str(index), "allowed": "printable characters"},
    )


def _too_many(path: str, count: int) -> None:
    raise InvalidArgumentError(
        f"{path} holds {count} values; at most {MAX_ITEMS}",
        reason=TOO_MANY_ITEMS,
        metadata={"field": path, "max_items": str(MAX_ITEMS), "items": str(count)},
    )


def _out_of_range(path: str, rule: IntBound) -> None:
    unset = " (or 0: not given)" if rule.zero_allowed else ""
    metadata = {"field": path, "min": str(rule.minimum), "max": str(rule.maximum)}
    if rule.zero_allowed:
        metadata["unset"] = "0"
    raise InvalidArgumentError(
        f"{path} is outside [{rule.minimum}, {rule.maximum}]{unset}, a {rule.kind}",
        reason=VALUE_OUT_OF_RANGE,
        metadata=metadata,
    )
