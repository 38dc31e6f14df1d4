"""What every service's gRPC servicer shares: the call's ids, the same way in all four.

A mutating RPC's request id is the request's ``request_id`` field, else the call's
``x-request-id`` header; with neither it is refused (``REQUEST_ID_MISSING``), and one longer
than :data:`MAX_REQUEST_ID_LENGTH` is refused (``FIELD_TOO_LONG``), whichever way it came. The
events it records carry the call's ids (:meth:`cqx_grpc.CallMetadata.as_event_metadata`:
request, correlation and causation ids, the actor) with the request id actually used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message

from cqx_grpc import current_call
from cqx_kernel.errors import InvalidArgumentError
from cqx_service.application import EventSourcedApplication

A = TypeVar("A", bound=EventSourcedApplication[Any, Any])
M = TypeVar("M", bound=Message)

MAX_REQUEST_ID_LENGTH = 128
Context = Any  # grpc.aio.ServicerContext (grpc ships no type hints)


def request_ids(request_id_field: str) -> tuple[str, dict[str, str]]:
    """The request id (the field, else the call's header) and the metadata of its events."""
    call = current_call()
    request_id = request_id_field or call.request_id or ""
    if not request_id:
        raise InvalidArgumentError(
            "request_id is required: set the request_id field or the x-request-id header "
            "(a fresh id per new request; the same id to retry one)",
            reason="REQUEST_ID_MISSING",
            metadata={"field": "request_id"},
        )
    if len(request_id) > MAX_REQUEST_ID_LENGTH:
        raise InvalidArgumentError(
            f"request_id is at most {MAX_REQUEST_ID_LENGTH} characters, got {len(request_id)}",
            reason="FIELD_TOO_LONG",
            metadata={"field": "request_id", "max_length": str(MAX_REQUEST_ID_LENGTH)},
        )
    return request_id, {**call.as_event_metadata(), "request_id": request_id}


class ServicerBase(Generic[A]):
    """Holds the application; runs a command with the call's request id and metadata."""

    def __init__(self, app: A) -> None:
        self.app = app

    async def run(
        self,
        request_id_field: str,
        command: Any,
        render: Callable[[Sequence[Any]], M],
        response: type[M],
    ) -> M:
        """Execute ``command`` once per request id; the response (the first one, on a retry)."""
        request_id, metadata = request_ids(request_id_field)
        raw = await self.app.execute(
            request_id, command, lambda events: render(events).SerializeToString(), metadata
        )
        return response.FromString(raw)
