"""Commands and events as plain records, and their canonical text.

A record is a JSON-ready dict: ``{"type": <class name>, <field>: <value>, ...}`` with enums
as their values, dates in ISO form and sets as sorted lists. The canonical line of an event
is its record as compact JSON with sorted keys, so the same events always give the same
bytes and the same SHA-256: the golden replay test rests on that. Pure: text in, text out.
"""

from __future__ import annotations

import hashlib
import json
import types
from collections.abc import Iterable
from dataclasses import fields
from datetime import date
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

from cqx_matching.domain.commands import COMMAND_TYPES, Command
from cqx_matching.domain.events import EVENT_TYPES, Event

Record = dict[str, Any]

COMMANDS: dict[str, type[Any]] = {cls.__name__: cls for cls in COMMAND_TYPES}
EVENTS: dict[str, type[Any]] = {cls.__name__: cls for cls in EVENT_TYPES}


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def to_record(item: Command | Event) -> Record:
    """The record of a command or an event."""
    record: Record = {"type": type(item).__name__}
    for f in fields(item):
        value = getattr(item, f.name)
        if f.metadata.get("omitted_at_default") and value == f.default:
            continue  # a field added later: older records stay byte for byte (events.py)
        record[f.name] = _plain(value)
    return record


def _typed(hint: Any, value: Any) -> Any:
    """``value`` (from a record) as the field type ``hint`` wants it."""
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [h for h in get_args(hint) if h is not type(None)]
        return _typed(options[0], value)
    if origin is frozenset:
        return frozenset(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint is date:
        return date.fromisoformat(value)
    return value


def _from_record(registry: dict[str, type[Any]], record: Record) -> Any:
    cls = registry[record["type"]]
    hints = get_type_hints(cls)
    return cls(
        **{f.name: _typed(hints[f.name], record[f.name]) for f in fields(cls) if f.name in record}
    )


def command_from_record(record: Record) -> Command:
    """The command a record describes."""
    command: Command = _from_record(COMMANDS, record)
    return command


def event_from_record(record: Record) -> Event:
    """The event a record describes."""
    event: Event = _from_record(EVENTS, record)
    return event


def canonical_line(item: Command | Event) -> str:
    """One compact, key-sorted JSON line: the canonical text of a command or event."""
    return json.dumps(to_record(item), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def events_digest(events: Iterable[Event]) -> str:
    """SHA-256 (hex) of the events' canonical lines, each ended by a newline."""
    digest = hashlib.sha256()
    for event in events:
        digest.update(canonical_line(event).encode())
        digest.update(b"\n")
    return digest.hexdigest()
