"""Who is calling and why: the request metadata every CQX RPC carries.

Clients send ``x-request-id`` (the idempotency key of a mutating RPC), ``x-correlation-id``
(the id that ties together everything one user action caused) and ``x-causation-id`` (the
event or request that caused this call) as gRPC metadata. Who calls is not something a client
says: it is the principal its certificate names (:mod:`cqx_identity`), which the server's edge
interceptor (:class:`cqx_grpc.errors.ApiEdgeInterceptor`) authenticates and binds to the
running call with the ids; handlers read them with :func:`current_call` and copy
:meth:`CallMetadata.as_event_metadata` (whose ``actor`` is the principal) into the metadata of
the events they append.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass

from cqx_identity.principal import Principal

REQUEST_ID_KEY = "x-request-id"
CORRELATION_ID_KEY = "x-correlation-id"
CAUSATION_ID_KEY = "x-causation-id"

_CURRENT_CALL: ContextVar[CallMetadata] = ContextVar("cqx_grpc_current_call")


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True, kw_only=True)
class CallMetadata:
    """The request metadata of one RPC; ``correlation_id`` is always set."""

    request_id: str | None = None
    correlation_id: str
    causation_id: str | None = None
    principal: Principal | None = None  # set by the edge once the call is authenticated
    method: str = ""  # the full path of the method called (``/cqx.x.v1.XService/Method``)
    approved_by: str | None = None  # a second operator's approval this run carries (four eyes)

    @property
    def actor(self) -> str | None:
        """Who acts: the authenticated principal's id (``member:shanxi-030``), else None."""
        return None if self.principal is None else self.principal.id

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
            causation_id=values.get(CAUSATION_ID_KEY),
        )

    def as_event_metadata(self) -> dict[str, str]:
        """The non-empty ids as event metadata: request_id, correlation_id, causation_id,
        actor, and approved_by (four eyes)."""
        candidates = {
            "request_id": self.request_id,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "actor": self.actor,
            "approved_by": self.approved_by,
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
    causation_id: str | None = None,
) -> tuple[tuple[str, str], ...]:
    """gRPC metadata for a client call, carrying only the values given."""
    pairs = (
        (REQUEST_ID_KEY, request_id),
        (CORRELATION_ID_KEY, correlation_id),
        (CAUSATION_ID_KEY, causation_id),
    )
    return tuple((key, value) for key, value in pairs if value)
