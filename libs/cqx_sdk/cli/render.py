"""What the command line prints: aligned tables and key/value blocks, or JSON for scripts."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Mapping, Sequence
from enum import Enum

_NUMBER = re.compile(r"^[-+]?[0-9][0-9,]*(\.[0-9]+)?%?$")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, empty: str = "") -> str:
    """Rows under headers, columns padded to their widest cell; a column whose cells are all
    numbers is right-aligned. ``empty`` is printed under the headers when there are no rows."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        bool(cells) and all(_NUMBER.match(row[i]) or row[i] == "" for row in cells)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        padded = (
            v.rjust(w) if right else v.ljust(w)
            for v, w, right in zip(values, widths, numeric, strict=True)
        )
        return "  ".join(padded).rstrip()

    lines = [line(headers), line(["-" * w for w in widths])]
    lines += [line(row) for row in cells]
    if not cells and empty:
        lines.append(empty)
    return "\n".join(lines)


def details(pairs: Sequence[tuple[str, object]]) -> str:
    """``key  value`` lines, the keys padded to the longest."""
    width = max((len(k) for k, _ in pairs), default=0)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in pairs)


def jsonable(value: object) -> object:
    """``value`` as JSON-ready data: dataclasses as objects, enums as their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class Output:
    """Where a command's answer goes: text for people, or one JSON document (``--json``)."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: object, text: str) -> None:
        """Print the answer: ``data`` as JSON, or ``text``."""
        if self.as_json:
            print(json.dumps(jsonable(data), indent=2, ensure_ascii=False), file=sys.stdout)
        else:
            print(text, file=sys.stdout)
        sys.stdout.flush()

    def emit_update(self, data: object, text: str) -> None:
        """Print one update of a live view: a compact JSON line, or ``text``."""
        if self.as_json:
            print(json.dumps(jsonable(data), ensure_ascii=False), file=sys.stdout)
        else:
            print(text, file=sys.stdout)
        sys.stdout.flush()


def error_line(message: str) -> None:
    """One line on stderr."""
    print(message, file=sys.stderr)
