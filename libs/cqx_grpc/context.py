"""Who is calling and why: the request metadata every CQX RPC carries.

Clients send ``x-request-id`` (the idempotency key of a mutating RPC), ``x-correlation-id``
(the id that ties together everything one user action caused), ``x-causation-id`` (the event
or request that caused this call), ``x-actor`` (who acts) and, for an operator's methods,
``x-operator-token`` as gRPC metadata (the token is checked at the edge, never recorded).
The server's edge interceptor (:class:`cqx_grpc.errors.ApiEdgeInterceptor`) binds them to the
running call; handlers read them with :func:`current_call` and copy
:meth:`CallMetadata.as_event_metadata` into the metadata of the events they append.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field

REQUEST_ID_KEY = "x-request-id"
CORRELATION_ID_KEY = "x-correlation-id"
CAUSATION_ID_KEY = "x-causation-id"
ACTOR_KEY = "x-actor"
OPERATOR_TOKEN_KEY = "x-operator-token"

_CURRENT_CALL: ContextVar[CallMetadata] = ContextVar("cqx_grpc_current_call")


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True, kw_only=True)
class CallMetadata:
    """The request metadata of one RPC; ``correlation_id`` is always set."""

    request_id: str | None = None
    correlation_id: str
    actor: str | None = None
    causation_id: str | None = None
    operator_token: str | None = field(default=None, repr=False)  # never logged

    @classmethod
    def from_invocation_metadata(
        cls,
        metadata: Iterable[tuple[str, str | bytes]] | None,
        *,
        new_id: Callable[[], str] = _new_id,
    ) -> CallMetadata:
        """Read the call's metadata; a missing correlation id is the request id, else new."""
        values: dict[str, str] = {}
        for key, value in metadata or ():
            # Binary (``-bin``) values never carry these keys; blank values count as absent.
            if isinstance(value, str) and value.strip():
                values.setdefault(key.lower(), value.strip())
        request_id = values.get(REQUEST_ID_KEY)
        return cls(
            request_id=request_id,
            correlation_id=values.get(CORRELATION_ID_KEY) or request_id or new_id(),
            actor=values.get(ACTOR_KEY),
            causation_id=values.get(CAUSATION_ID_KEY),
            operator_token=values.get(OPERATOR_TOKEN_KEY),
        )

    def as_event_metadata(self) -> dict[str, str]:
        """The non-empty ids as event metadata: request_id, correlation_id, causation_id, actor."""
        candidates = {
            "request_id": self.request_id,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "actor": self.actor,
        }
        return {key: value for key, value in candidates.items() if value}


def current_call() -> CallMetadata:
    """The metadata of the RPC being handled; raises :class:`LookupError` outside of one."""
    try:
        return _CURRENT_CALL.get()
    except LookupError:
        raise LookupError(
            "no RPC is being handled here; current_call() works inside a handler served "
            "through ApiEdgeInterceptor, or inside bind_call()"
        ) from None


@contextmanager
def bind_call(call: CallMetadata) -> Iterator[CallMetadata]:
    """Make ``call`` the :func:`current_call` for the block (the interceptor, scripts, tests)."""
    token = _CURRENT_CALL.set(call)
    try:
        yield call
    finally:
        # An async generator closed by the garbage collector runs this in a foreign context,
        # where the token is invalid; the call's own context is gone by then anyway.
        with suppress(ValueError):
            _CURRENT_CALL.reset(token)


def call_metadata(
    *,
    request_id: str | None = None,
    correlation_id: str | None = None,
    actor: str | None = None,
    causation_id: str | None = None,
    operator_token: str | None = None,
) -> tuple[tuple[str, str], ...]:
    """gRPC metadata for a client call, carrying only the values given."""
    pairs = (
        (REQUEST_ID_KEY, request_id),
        (CORRELATION_ID_KEY, correlation_id),
        (CAUSATION_ID_KEY, causation_id),
        (ACTOR_KEY, actor),
        (OPERATOR_TOKEN_KEY, operator_token),
    )
    return tuple((key, value) for key, value in pairs if value)
