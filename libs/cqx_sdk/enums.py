"""Proto enums ↔ the SDK's words: ``SIDE_BUY`` ↔ ``Side.BUY`` (``"buy"``),
``ORDER_STATUS_PARTIALLY_FILLED`` → ``"partially-filled"``."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)


def to_proto(member: Enum, wrapper: Any, prefix: str) -> Any:
    """The proto value named ``<prefix><MEMBER NAME>``."""
    return wrapper.Value(f"{prefix}{member.name}")


def from_proto(cls: type[E], wrapper: Any, prefix: str, value: int) -> E:
    """The member of ``cls`` named like the proto value (without its prefix)."""
    name: str = wrapper.Name(value)
    return cls[name.removeprefix(prefix)]


def word(wrapper: Any, prefix: str, value: int) -> str:
    """A proto value as a lowercase word: ``ORDER_STATUS_PARTIALLY_FILLED`` →
    ``partially-filled`` (an unknown number → ``unknown-<n>``)."""
    try:
        name: str = wrapper.Name(value)
    except ValueError:
        return f"unknown-{value}"
    return name.removeprefix(prefix).lower().replace("_", "-")
