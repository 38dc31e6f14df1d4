"""What every service's gRPC servicer shares: the call's ids, the same way in all four.

A mutating RPC's request id is the request's ``request_id`` field, else the call's
``x-request-id`` header; with neither it is refused (``REQUEST_ID_MISSING``), and one longer
than :data:`MAX_REQUEST_ID_LENGTH` is refused (``FIELD_TOO_LONG``), whichever way it came. The
events it records carry the call's ids (:meth:`cqx_grpc.CallMetadata.as_event_metadata`:
request, correlation and causation ids, the actor) with the request id actually used. The
request's fingerprint (its type and fields, the request id aside) goes with it, so that the
same id sent with a different request is refused rather than answered with another's outcome.
A request id is its caller's: the journal keys outcomes by (principal, request id), so one
client can neither read another's answer nor block its next request by taking its id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message

from cqx_grpc import current_call
from cqx_kernel.errors import InvalidArgumentError
from cqx_service.application import CallIds, EventSourcedApplication
from cqx_service.approvals import Proposal, propose

A = TypeVar("A", bound=EventSourcedApplication[Any, Any])
M = TypeVar("M", bound=Message)

MAX_REQUEST_ID_LENGTH = 128
Context = Any  # grpc.aio.ServicerContext (grpc ships no type hints)


def fingerprint_of(request: Message) -> str:
    """A hash of the request's type and of its fields other than ``request_id``."""
    bare = type(request)()
    bare.CopyFrom(request)
    if "request_id" in bare.DESCRIPTOR.fields_by_name:
        bare.ClearField("request_id")
    digest = hashlib.sha256(bare.DESCRIPTOR.full_name.encode())
    digest.update(b"\0" + bare.SerializeToString(deterministic=True))
    return digest.hexdigest()


def call_ids(request: Message) -> CallIds:
    """The request id (the field, else the call's header), its events' metadata, and the
    request's fingerprint."""
    call = current_call()
    request_id = str(getattr(request, "request_id", "")) or call.request_id or ""
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
    metadata = {**call.as_event_metadata(), "request_id": request_id}
    key = scoped_key(call.actor, request_id)
    if call.approved_by is not None:  # the approved run of a proposal: not its first answer
        key = f"{key} approved"
    return CallIds(key, metadata, fingerprint_of(request))


def scoped_key(actor: str | None, request_id: str) -> str:
    """The idempotency key: (principal, request id). Another principal's same id is another
    request; a call with no principal (a library test) keeps the bare id."""
    return request_id if actor is None else f"{actor} {request_id}"


class ServicerBase(Generic[A]):
    """Holds the application; runs a command with the call's ids."""

    def __init__(self, app: A) -> None:
        self.app = app

    async def run(
        self,
        request: Message,
        command: Any,
        render: Callable[[Sequence[Any]], M],
        response: type[M],
    ) -> M:
        """Execute ``command`` once per request id; the response (the first one, on a retry)."""
        raw = await self.execute(
            request, command, lambda events: render(events).SerializeToString()
        )
        return response.FromString(raw)

    async def execute(
        self, request: Message, command: Any, render: Callable[[Sequence[Any]], bytes]
    ) -> bytes:
        """Execute ``command`` once per request id; the recorded response bytes."""
        ids = call_ids(request)
        call = current_call()
        if self.app.approvals.needs(call.method, call.approved_by, request):
            proposal = Proposal(ids.request_id, ids.fingerprint, ids.metadata)
            app = self.app
            return await propose(app.approvals, app.journal, app.new_id, proposal, call, request)
        return bytes(
            await self.app.execute(
                ids.request_id, command, render, ids.metadata, fingerprint=ids.fingerprint
            )
        )
