"""What the edge sees of each call: counted, timed and (when it changes state) logged.

:class:`CallObserver` is given to :class:`~cqx_grpc.errors.ApiEdgeInterceptor`, the one place
every call passes, so no servicer records anything itself. Per call it adds one to
``cqx_grpc_requests_total{service,method,code}`` and observes the duration in
``cqx_grpc_request_seconds{service,method}``; a mutating call (not a ``Get``, ``List``,
``Stream`` or ``Check`` method, nor health or reflection) also gets one INFO line on the
``cqx.calls`` logger with its method, outcome (``OK`` or the refusal's reason) and duration.
The metrics live in the registry passed in, never in prometheus-client's global one, so that
several services can run in one process (the tests do).
"""

from __future__ import annotations

import logging

import grpc
from prometheus_client import CollectorRegistry, Counter, Histogram

_LOG = logging.getLogger("cqx.calls")
_READ_PREFIXES = ("Get", "List", "Stream", "Check")
_INFRASTRUCTURE = ("/grpc.",)  # health and reflection: polled, not a user's action

# A call is an in-memory decision plus a group commit: milliseconds, rarely a second.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def method_name(full_method: str) -> str:
    """``/cqx.registry.v1.RegistryService/OpenAccount`` → ``OpenAccount``."""
    return full_method.rsplit("/", 1)[-1] or full_method


def is_mutating(full_method: str) -> bool:
    """Whether a call of ``full_method`` may change state (and so is logged)."""
    if full_method.startswith(_INFRASTRUCTURE):
        return False
    return not method_name(full_method).startswith(_READ_PREFIXES)


class CallObserver:
    """Counts, times and logs the calls of one service's server (see the module docstring)."""

    def __init__(self, service: str, registry: CollectorRegistry) -> None:
        self.service = service
        self._requests = Counter(
            "cqx_grpc_requests",
            "gRPC calls handled, by method and status code.",
            ["service", "method", "code"],
            registry=registry,
        )
        self._seconds = Histogram(
            "cqx_grpc_request_seconds",
            "Time from a call reaching the edge to its answer, by method.",
            ["service", "method"],
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )

    def finished(
        self, full_method: str, code: grpc.StatusCode, reason: str, seconds: float
    ) -> None:
        """Record one call that ended with ``code`` (``reason``: the refusal's, else empty)."""
        method = method_name(full_method)
        self._requests.labels(self.service, method, code.name).inc()
        self._seconds.labels(self.service, method).observe(seconds)
        if is_mutating(full_method):
            outcome = "OK" if code is grpc.StatusCode.OK else (reason or code.name)
            _LOG.info(
                "%s %s in %.1f ms",
                method,
                outcome,
                seconds * 1000,
                extra={
                    "grpc_method": method,
                    "outcome": outcome,
                    "code": code.name,
                    "duration_ms": round(seconds * 1000, 3),
                },
            )
