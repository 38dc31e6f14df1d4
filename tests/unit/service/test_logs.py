"""Service logs: one JSON line per record, carrying the ids of the call it was made in."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from cqx_grpc import CallMetadata, bind_call
from cqx_identity import Principal, Role
from cqx_kernel.errors import InvalidArgumentError
from cqx_service.logs import JsonFormatter, log_format


def record(message: str, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("cqx.calls", logging.INFO, __file__, 1, message, (), None)
    made.__dict__.update(extra)
    return made


def test_a_record_in_a_bound_call_is_a_json_line_with_its_ids() -> None:
    trader = Principal(Role.MEMBER, "trader-a", "p-a")
    call = CallMetadata(request_id="req-1", correlation_id="corr-9", principal=trader)
    with bind_call(call):
        line = JsonFormatter("matching").format(
            record("PlaceOrder OK", grpc_method="PlaceOrder", outcome="OK", duration_ms=1.5)
        )
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["service"] == "matching"
    assert fields["level"] == "INFO"
    assert fields["logger"] == "cqx.calls"
    assert fields["message"] == "PlaceOrder OK"
    assert fields["request_id"] == "req-1"
    assert fields["correlation_id"] == "corr-9"
    assert fields["actor"] == "member:trader-a"
    assert fields["method"] == "PlaceOrder"
    assert fields["outcome"] == "OK"
    assert fields["duration_ms"] == 1.5
    assert fields["time"].endswith("+00:00")  # RFC 3339 in UTC
    assert "T" in fields["time"]


def test_a_record_outside_a_call_has_no_ids_and_keeps_its_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logging.LogRecord(
            "cqx.service", logging.ERROR, __file__, 1, "it failed: %s", ("x",), sys.exc_info()
        )
    fields = json.loads(JsonFormatter("registry").format(failed))
    assert fields["message"] == "it failed: x"
    assert "request_id" not in fields
    assert "correlation_id" not in fields
    assert "ValueError: boom" in fields["exception"]


def test_the_log_format_is_json_unless_text_is_asked_for() -> None:
    assert log_format({}) == "json"
    assert log_format({"CQX_LOG_FORMAT": "text"}) == "text"
    with pytest.raises(InvalidArgumentError, match="CQX_LOG_FORMAT"):
        log_format({"CQX_LOG_FORMAT": "xml"})
