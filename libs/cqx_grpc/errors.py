"""The one place where CQX errors become gRPC status codes.

:class:`ApiEdgeInterceptor` wraps every handler of a server. A :class:`CqxError` leaves as the
status code of its kind with a ``google.rpc.Status`` whose details hold a
``google.rpc.ErrorInfo`` (``reason`` in UPPER_SNAKE, ``domain`` ``"cqx"``, ``metadata`` the
error's metadata):

=========================  ====================
kind                       status code
=========================  ====================
InvalidArgumentError       INVALID_ARGUMENT
NotFoundError              NOT_FOUND
AlreadyExistsError         ALREADY_EXISTS
FailedPreconditionError    FAILED_PRECONDITION
ConflictError              ABORTED
UnavailableError           UNAVAILABLE
any other CqxError         FAILED_PRECONDITION
=========================  ====================

A ``CqxError`` outside the kinds is still a deliberate refusal by our code, not a crash, so it
is reported as a rule the request broke (FAILED_PRECONDITION) with its reason, rather than as
INTERNAL or UNKNOWN, which would tell the client nothing it can act on. Any other exception is
a bug: the client gets INTERNAL with only ``internal error; correlation id <id>``, and the
traceback goes to the ``cqx.grpc`` log under the same id.

The interceptor also binds the call's request metadata (see :mod:`cqx_grpc.context`), because
the correlation id it reads is the one an INTERNAL error must name, and checks each request
before its handler runs (:mod:`cqx_grpc.request_check`): bytes that are not a valid message and
values outside their bounds (:mod:`cqx_grpc.bounds`) are INVALID_ARGUMENT, so no handler sees
them. Nothing the client sent leaves whole in the trailers: the status message and each
ErrorInfo metadata value are cut at :data:`MAX_ECHO_LENGTH` characters (a client's metadata
limit would otherwise turn a long id into RESOURCE_EXHAUSTED and lose the reason).

Given a :class:`~cqx_grpc.observe.CallObserver`, the interceptor also counts, times and logs
every call it wraps, with the status code it ended with: the metrics are recorded here, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from cqx_grpc.access import Gate
from cqx_grpc.context import CallMetadata, bind_call
from cqx_grpc.observe import CallObserver
from cqx_grpc.request_check import check_call, check_request, tolerant
from cqx_kernel.errors import (
    AlreadyExistsError,
    ConflictError,
    CqxError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    UnauthenticatedError,
    UnavailableError,
)

ERROR_DOMAIN = "cqx"
STATUS_DETAILS_KEY = "grpc-status-details-bin"
MAX_ECHO_LENGTH = 256
ELLIPSIS = "…"

_LOG = logging.getLogger("cqx.grpc")

_CODE_BY_KIND: tuple[tuple[type[CqxError], grpc.StatusCode], ...] = (
    (InvalidArgumentError, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFoundError, grpc.StatusCode.NOT_FOUND),
    (AlreadyExistsError, grpc.StatusCode.ALREADY_EXISTS),
    (FailedPreconditionError, grpc.StatusCode.FAILED_PRECONDITION),
    (PermissionDeniedError, grpc.StatusCode.PERMISSION_DENIED),
    (UnauthenticatedError, grpc.StatusCode.UNAUTHENTICATED),
    (ConflictError, grpc.StatusCode.ABORTED),
    (UnavailableError, grpc.StatusCode.UNAVAILABLE),
)

Handler = Callable[[Any, Any], Any]


def status_code_for(error: CqxError) -> grpc.StatusCode:
    """The gRPC status code of ``error``'s kind (FAILED_PRECONDITION outside the kinds)."""
    for kind, code in _CODE_BY_KIND:
        if isinstance(error, kind):
            return code
    return grpc.StatusCode.FAILED_PRECONDITION


def upper_snake(reason: str) -> str:
    """``reason`` as UPPER_SNAKE: ``priceOutsideBand`` and ``price-outside band`` both become
    ``PRICE_OUTSIDE_BAND``; an UPPER_SNAKE reason is returned unchanged."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", reason)
    snake = re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_").upper()
    return snake or CqxError.default_reason


def capped(text: str, limit: int = MAX_ECHO_LENGTH) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis at the end if it was longer."""
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def to_rpc_status(error: CqxError) -> grpc.Status:
    """The status ``error`` leaves the server with, ErrorInfo in its details; the message and
    each metadata value capped at :data:`MAX_ECHO_LENGTH` characters."""
    metadata = {capped(key): capped(value) for key, value in error.metadata.items()}
    info = error_details_pb2.ErrorInfo(
        reason=capped(upper_snake(error.reason)), domain=ERROR_DOMAIN, metadata=metadata
    )
    detail = any_pb2.Any()
    detail.Pack(info)
    status = status_pb2.Status(
        code=status_code_for(error).value[0], message=capped(error.message), details=[detail]
    )
    return rpc_status.to_status(status)


def rich_status(rpc_error: grpc.RpcError) -> status_pb2.Status | None:
    """The ``google.rpc.Status`` a failed call carries in its trailers, if any."""
    trailing_metadata = getattr(rpc_error, "trailing_metadata", None)
    if trailing_metadata is None:
        return None
    for key, value in trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            return status_pb2.Status.FromString(value)
    return None


def error_info(rpc_error: grpc.RpcError) -> error_details_pb2.ErrorInfo | None:
    """The ``google.rpc.ErrorInfo`` of a failed call (sync or asyncio client), if any."""
    status = rich_status(rpc_error)
    if status is None:
        return None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    return None


class ApiEdgeInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Binds each call's request metadata and maps whatever its handler raises to a status.

    Handlers must be ``async`` (coroutines, or async generators for streamed responses), as
    everywhere in CQX; a handler's own ``context.abort(...)`` passes through untouched. With a
    :class:`~cqx_grpc.access.Gate`, every call is authenticated and authorised before its
    handler runs (without one — library tests only — nobody is asked who they are).
    """

    def __init__(self, gate: Gate | None = None, observer: CallObserver | None = None) -> None:
        self._gate = gate
        self._observer = observer

    async def intercept_service(
        self,
        continuation: Callable[[Any], Awaitable[Any]],
        handler_call_details: Any,
    ) -> Any:
        """Wrap the handler that ``continuation`` finds for the call (``None`` if none)."""
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        call = CallMetadata.from_invocation_metadata(handler_call_details.invocation_metadata)
        method = str(handler_call_details.method)
        edge = _Edge(call, method, self._gate, self._observer)
        return _guarded_handler(handler, edge)


@dataclass(frozen=True)
class _Edge:
    """What the guard of one call knows: its ids, method, gate (if any) and observer."""

    call: CallMetadata
    method: str
    gate: Gate | None = None
    observer: CallObserver | None = None


@dataclass
class _Ending:
    """How a call ended, as the observer records it."""

    code: grpc.StatusCode = grpc.StatusCode.OK
    reason: str = ""
    call: CallMetadata | None = None  # once authenticated: the call with its principal

    def failed(self, error: Exception) -> None:
        """The call ends with what ``error`` maps to."""
        if isinstance(error, CqxError):
            self.code, self.reason = status_code_for(error), upper_snake(error.reason)
        else:
            self.code, self.reason = grpc.StatusCode.INTERNAL, "INTERNAL"


@contextlib.contextmanager
def _observed(edge: _Edge, context: Any) -> Iterator[_Ending]:
    """Time the body and hand its ending to the edge's observer (if there is one)."""
    ending = _Ending()
    started = time.perf_counter()
    try:
        yield ending
    except asyncio.CancelledError:
        ending.code, ending.reason = grpc.StatusCode.CANCELLED, ""
        raise
    except grpc.aio.AbortError:
        if ending.code is grpc.StatusCode.OK:  # the handler's own context.abort(...)
            ending.code = _aborted_code(context)
        raise
    finally:
        if edge.observer is not None:
            with bind_call(ending.call or edge.call):  # its log line names the principal
                edge.observer.finished(
                    edge.method, ending.code, ending.reason, time.perf_counter() - started
                )


def _aborted_code(context: Any) -> grpc.StatusCode:
    """The code a handler aborted with, as the context holds it (UNKNOWN if it does not)."""
    with contextlib.suppress(Exception):
        code = context.code()
        if isinstance(code, grpc.StatusCode):
            return code
        for candidate in grpc.StatusCode:
            if candidate.value[0] == code:
                return candidate
    return grpc.StatusCode.UNKNOWN


def _guarded_handler(handler: Any, edge: _Edge) -> Any:
    """The same method handler, its behaviour wrapped by a guard of the matching shape."""
    shapes: tuple[tuple[str, Callable[..., Any]], ...] = (
        ("unary_unary", grpc.unary_unary_rpc_method_handler),
        ("unary_stream", grpc.unary_stream_rpc_method_handler),
        ("stream_unary", grpc.stream_unary_rpc_method_handler),
        ("stream_stream", grpc.stream_stream_rpc_method_handler),
    )
    for attribute, make_handler in shapes:
        behavior = getattr(handler, attribute)
        if behavior is None:
            continue
        guard = _guard_generator if inspect.isasyncgenfunction(behavior) else _guard_coroutine
        # A streamed request is an iterator the handler reads itself: only a single request
        # is decoded and checked here, before the handler runs.
        single = attribute.startswith("unary_")
        deserializer = handler.request_deserializer
        return make_handler(
            guard(behavior, edge, checked=single),
            request_deserializer=tolerant(deserializer) if single else deserializer,
            response_serializer=handler.response_serializer,
        )
    return handler


def _admit(request: Any, edge: _Edge, context: Any, checked: bool) -> CallMetadata:
    """The call, authenticated; or raise why it may not reach its handler: no valid
    credential, call ids too long, a request undecodable or out of its bounds, then the
    policy's refusal (a streamed request is authorised by role alone)."""
    call = replace(edge.call, method=edge.method)
    if edge.gate is not None:
        call = replace(call, principal=edge.gate.authenticate(context))
    check_call(call)
    if checked:
        check_request(request)
    if edge.gate is not None and call.principal is not None:
        edge.gate.authorize(edge.method, call.principal, request if checked else None)
    return call


def _guard_coroutine(behavior: Handler, edge: _Edge, *, checked: bool) -> Handler:
    """Guard a coroutine handler (a unary response, or a stream written with context.write)."""

    async def guarded(request: Any, context: Any) -> Any:
        with _observed(edge, context) as ending:
            try:
                ending.call = _admit(request, edge, context, checked)
                with bind_call(ending.call):
                    result = behavior(request, context)
                    return await result if inspect.isawaitable(result) else result
            except grpc.aio.AbortError:
                raise
            except Exception as error:
                ending.failed(error)
                await _abort(context, error, ending.call or edge.call, edge.method)

    return guarded


def _guard_generator(
    behavior: Handler, edge: _Edge, *, checked: bool
) -> Callable[[Any, Any], AsyncIterator[Any]]:
    """Guard an async generator handler (a streamed response)."""

    async def guarded(request: Any, context: Any) -> AsyncIterator[Any]:
        with _observed(edge, context) as ending:
            try:
                ending.call = _admit(request, edge, context, checked)
                with bind_call(ending.call):
                    async for response in behavior(request, context):
                        if edge.gate is not None:  # revoked while streaming: cut it off
                            edge.gate.check_still_valid(ending.call.principal)
                        yield response
            except grpc.aio.AbortError:
                raise
            except Exception as error:
                ending.failed(error)
                await _abort(context, error, ending.call or edge.call, edge.method)

    return guarded


async def _abort(context: Any, error: Exception, call: CallMetadata, method: str) -> NoReturn:
    """End the call with the status ``error`` maps to; log it if it is a bug."""
    if isinstance(error, CqxError):
        await context.abort_with_status(to_rpc_status(error))
    _LOG.error(
        "internal error in %s; correlation id %s",
        method,
        call.correlation_id,
        exc_info=error,
        extra={"correlation_id": call.correlation_id, "grpc_method": method},
    )
    await context.abort(
        grpc.StatusCode.INTERNAL, capped(f"internal error; correlation id {call.correlation_id}")
    )
    raise AssertionError("context.abort returned")  # unreachable: abort always raises
