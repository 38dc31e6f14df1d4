"""The answer as JSON-ready data with its units in its keys: integer fen beside a decimal CNY
string (``price_fen`` 7463, ``price_cny`` "74.63"), tonnes as ``*_t`` integers, instants as
RFC 3339 text in Asia/Shanghai; never a float."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from enum import Enum

from cqx_sdk.dates import SHANGHAI
from cqx_sdk.money import format_price

# Keys whose unit is tonnes without saying so in the SDK's own suffix.
_TONNES_KEYS = {"tonnes_delivered": "delivered_t", "exchange_volumes": "exchange_volumes_t"}


def cny_text(fen: int) -> str:
    """Fen as a plain decimal CNY string: ``7463`` → ``"74.63"`` (no thousands separators,
    so that a script can read it as a decimal)."""
    return format_price(fen)


def rfc3339(instant_us: int) -> str:
    """Microseconds since the epoch as RFC 3339 in Asia/Shanghai (``+08:00``)."""
    seconds, micros = divmod(instant_us, 1_000_000)
    moment = datetime.fromtimestamp(seconds, SHANGHAI).replace(microsecond=micros)
    return moment.isoformat(timespec="microseconds" if micros else "seconds")


def _fields(name: str, value: object) -> list[tuple[str, object]]:
    """One field as the JSON's (key, value) pairs: a fen figure gains its CNY twin."""
    if isinstance(value, int) and not isinstance(value, bool):
        if name.endswith("_fen"):
            return [(name, value), (f"{name[: -len('_fen')]}_cny", cny_text(value))]
        if name.endswith("_tonnes"):
            return [(f"{name[: -len('_tonnes')]}_t", value)]
        if name.endswith("_us"):
            return [(name[: -len("_us")], rfc3339(value))]
    if name in _TONNES_KEYS:
        return [(_TONNES_KEYS[name], jsonable(value))]
    return [(name, jsonable(value))]


def jsonable(value: object) -> object:
    """``value`` as JSON-ready data: dataclasses as objects with units in their keys, enums
    as their values, mappings and sequences element by element."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        pairs: list[tuple[str, object]] = []
        for f in dataclasses.fields(value):
            pairs += _fields(f.name, getattr(value, f.name))
        return dict(pairs)
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, Mapping):
        out: list[tuple[str, object]] = []
        for k, v in value.items():
            out += _fields(str(k), v)
        return dict(out)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
