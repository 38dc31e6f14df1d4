"""A service process's Prometheus metrics: one registry, served over HTTP at ``/metrics``.

:class:`ServiceMetrics` owns a :class:`~prometheus_client.CollectorRegistry` of its own (never
prometheus-client's global one: tests run several services in one process) and every metric
the skeleton records, so that all four services have them with no code of their own:

- ``cqx_grpc_requests_total{service,method,code}`` and ``cqx_grpc_request_seconds{service,
  method}``: recorded by the edge interceptor (:class:`~cqx_grpc.observe.CallObserver`);
- ``cqx_journal_commit_seconds{service}`` and ``cqx_journal_commands_total{service}``: recorded
  by the :class:`~cqx_service.journal.Journal`, per unit from its submission to its commit;
- ``cqx_consumer_lag_messages{service,consumer}``, ``cqx_relay_position{service}`` and
  ``cqx_log_head_position{service}``: gauges the runtime samples every few seconds;
- ``cqx_consumer_envelopes_refused_total{service,source,reason}``: envelopes a consumer
  refused (wrong source, a hash that does not recompute, a broken chain: dead-lettered, never
  applied), counted by the consumers.

The runtime starts the HTTP server (its own thread, so a busy event loop still answers a
scrape) on ``CQX_<SERVICE>_METRICS_PORT`` and stops it with the service.
"""

from __future__ import annotations

import threading
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from cqx_grpc.observe import LATENCY_BUCKETS, CallObserver


class JournalMetrics:
    """What the journal records of each unit it commits."""

    def __init__(self, service: str, registry: CollectorRegistry) -> None:
        self._seconds = Histogram(
            "cqx_journal_commit_seconds",
            "Time from a unit's submission to the journal to its commit (queue and batch).",
            ["service"],
            registry=registry,
            buckets=LATENCY_BUCKETS,
        ).labels(service)
        self._commands = Counter(
            "cqx_journal_commands",
            "Units (commands and consumed events) the journal committed.",
            ["service"],
            registry=registry,
        ).labels(service)

    def committed(self, seconds: float) -> None:
        """One unit committed, ``seconds`` after it was submitted."""
        self._seconds.observe(seconds)
        self._commands.inc()


class ServiceMetrics:
    """Every metric of one service process, and the HTTP server that exposes them."""

    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.service = service
        self.registry = registry if registry is not None else CollectorRegistry()
        self.calls = CallObserver(service, self.registry)
        self.journal = JournalMetrics(service, self.registry)
        self._consumer_lag = Gauge(
            "cqx_consumer_lag_messages",
            "Messages on a consumer's partitions not yet handled and committed.",
            ["service", "consumer"],
            registry=self.registry,
        )
        self._relay_position = Gauge(
            "cqx_relay_position",
            "The last log position the relay published to Kafka.",
            ["service"],
            registry=self.registry,
        ).labels(service)
        self._log_head = Gauge(
            "cqx_log_head_position",
            "The last position recorded in the service's own log.",
            ["service"],
            registry=self.registry,
        ).labels(service)
        self._refused = Counter(
            "cqx_consumer_envelopes_refused",
            "Envelopes a consumer refused (dead-lettered, not applied): source and reason.",
            ["service", "source", "reason"],
            registry=self.registry,
        )
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def consumer_lag(self, consumer: str, messages: int) -> None:
        """Set a consumer's lag, in messages."""
        self._consumer_lag.labels(self.service, consumer).set(messages)

    def envelope_refused(self, source: str, reason: str) -> None:
        """Count one envelope refused on ``source``'s topic, for ``reason``."""
        self._refused.labels(self.service, source, reason).inc()

    def positions(self, *, relay: int, head: int) -> None:
        """Set the relay's published position and the log's head."""
        self._relay_position.set(relay)
        self._log_head.set(head)

    def serve(self, host: str, port: int) -> int:
        """Serve ``/metrics`` on ``host:port`` (0: a free port) in a thread; the bound port."""
        if self._server is not None:
            raise RuntimeError("the metrics server was started already")
        self._server, self._thread = start_http_server(port, host, self.registry)
        return int(self._server.server_port)

    def stop(self) -> None:
        """Stop serving ``/metrics`` (nothing if it was not started)."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None
