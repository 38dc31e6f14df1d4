"""What the command line prints: tables and key/value blocks (drawn by Rich), the wide view
(every field of the answer) or one JSON document for scripts."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Sequence

from rich.box import Box
from rich.console import Console
from rich.table import Table

from cqx_sdk.cli.units import jsonable

_NUMBER = re.compile(r"^[-+]?[0-9][0-9,]*(\.[0-9]+)?%?( CNY| t)?$")
# Headers over a rule of dashes, no other lines: easy to read, and to cut with `awk`.
_RULE_UNDER_HEADERS = Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)
# Wide enough never to wrap a row: a table is for reading whole, or for piping.
_NEVER_WRAP = 10_000

__all__ = ["Output", "details", "jsonable", "table"]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, empty: str = "") -> str:
    """Rows under headers and a rule; a column whose cells are all numbers is right-aligned.
    ``empty`` is printed under the headers when there are no rows."""
    cells = [[str(cell) for cell in row] for row in rows]
    grid = Table(
        box=_RULE_UNDER_HEADERS,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        header_style=None,
    )
    for i, header in enumerate(headers):
        numeric = bool(cells) and all(_NUMBER.match(row[i]) or row[i] == "" for row in cells)
        grid.add_column(header, justify="right" if numeric else "left", no_wrap=True)
    for row in cells:
        grid.add_row(*row)
    text = _plain(grid)
    return f"{text}\n{empty}" if not cells and empty else text


def _plain(renderable: Table) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=_NEVER_WRAP,
        color_system=None,
        force_terminal=False,
        highlight=False,
        markup=False,
        emoji=False,
    )
    console.print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


def details(pairs: Sequence[tuple[str, object]]) -> str:
    """``key  value`` lines, the keys padded to the longest."""
    width = max((len(k) for k, _ in pairs), default=0)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in pairs)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "-" if value in ("", None) else str(value)


def _flat(data: dict[str, object], prefix: str = "") -> tuple[dict[str, str], dict[str, object]]:
    """Scalars by dotted key, and the lists of objects (shown as tables of their own)."""
    scalars: dict[str, str] = {}
    lists: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            inner, more = _flat(value, f"{name}.")
            scalars.update(inner)
            lists.update(more)
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            lists[name] = value
        elif isinstance(value, list):
            scalars[name] = ", ".join(_cell(v) for v in value) or "-"
        else:
            scalars[name] = _cell(value)
    return scalars, lists


def wide(data: object) -> str:
    """Every field of JSON-ready ``data``: a list of objects as one table (a column per
    field), an object as key/value lines, its lists of objects as tables under it."""
    if isinstance(data, list):
        rows = [_flat(item)[0] if isinstance(item, dict) else {"value": str(item)} for item in data]
        headers = list(dict.fromkeys(key for row in rows for key in row))
        return table(headers, [[row.get(h, "") for h in headers] for row in rows], empty="(none)")
    if not isinstance(data, dict):
        return str(data)
    scalars, lists = _flat(data)
    parts = [details(list(scalars.items()))] if scalars else []
    parts += [f"{name}:\n{wide(items)}" for name, items in lists.items()]
    return "\n\n".join(parts)


class Output:
    """Where a command's answer goes, in the mode asked for: ``table`` (text for people),
    ``json`` (one JSON document) or ``wide`` (every field, in tables)."""

    def __init__(self, mode: str = "table") -> None:
        self.mode = mode

    @property
    def as_json(self) -> bool:
        """Whether the answer is JSON."""
        return self.mode == "json"

    def emit(self, data: object, text: str) -> None:
        """Print the answer: ``data`` as JSON or every field of it, or ``text``."""
        if self.mode == "json":
            text = json.dumps(jsonable(data), indent=2, ensure_ascii=False)
        elif self.mode == "wide":
            text = wide(jsonable(data))
        print(text, file=sys.stdout, flush=True)

    def emit_update(self, data: object, text: str) -> None:
        """Print one update of a live view: a compact JSON line, every field, or ``text``."""
        if self.mode == "json":
            text = json.dumps(jsonable(data), ensure_ascii=False)
        elif self.mode == "wide":
            text = wide(jsonable(data)) + "\n"
        print(text, file=sys.stdout, flush=True)


def error_line(message: str) -> None:
    """One line on stderr."""
    print(message, file=sys.stderr, flush=True)
