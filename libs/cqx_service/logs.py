"""How a service process logs: JSON lines by default, plain text on request.

``CQX_LOG_FORMAT=json`` (the default) writes one JSON object per line, for a log shipper:
``time`` (RFC 3339, UTC, milliseconds), ``level``, ``service``, ``logger``, ``message``, and,
when the record was made while a call was bound (:func:`cqx_grpc.bind_call`, which the edge
interceptor does for every call), ``request_id``, ``correlation_id`` and ``actor``. A record's
call fields (``method``, ``outcome``, ``code``, ``duration_ms``: the edge's line per mutating
call) and its traceback (``exception``) are added when present. ``CQX_LOG_FORMAT=text`` keeps
the human-readable line for a terminal.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cqx_grpc import current_call
from cqx_kernel.errors import InvalidArgumentError

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("json", "text")

# Record attributes (set with ``extra=``) that become fields of the JSON line, and their names.
_EXTRA_FIELDS = {
    "grpc_method": "method",
    "outcome": "outcome",
    "code": "code",
    "duration_ms": "duration_ms",
}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line (see the module docstring)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object on one line."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_call_fields(record))
        for attribute, name in _EXTRA_FIELDS.items():
            if hasattr(record, attribute):
                line[name] = getattr(record, attribute)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _call_fields(record: logging.LogRecord) -> dict[str, str]:
    """The ids of the call bound where the record was made (else those set on the record)."""
    try:
        call = current_call()
    except LookupError:
        found = {key: getattr(record, key, None) for key in ("request_id", "correlation_id")}
        return {key: value for key, value in found.items() if isinstance(value, str) and value}
    fields = {
        "request_id": call.request_id,
        "correlation_id": call.correlation_id,
        "actor": call.actor,
    }
    return {key: value for key, value in fields.items() if value}


def log_format(environ: Mapping[str, str] | None = None) -> str:
    """``CQX_LOG_FORMAT`` (json when unset); anything but json or text is an error."""
    env = os.environ if environ is None else environ
    chosen = env.get("CQX_LOG_FORMAT", "json").strip().lower() or "json"
    if chosen not in LOG_FORMATS:
        raise InvalidArgumentError(f"CQX_LOG_FORMAT is json or text, not {chosen!r}")
    return chosen


def configure_logging(service: str, chosen: str, level: int = logging.INFO) -> None:
    """Send the process's log records to stderr in the ``chosen`` format (json or text)."""
    handler = logging.StreamHandler()
    if chosen == "json":
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
