"""The runtime of one service process: migrate, rebuild, serve, relay, consume, stop.

``ServiceRuntime.run`` does, in order: apply the schema migrations (given the administrator's
DSN; else check that the separate migration step brought the schema to this code's version:
:mod:`cqx_service.schema`); open the event store as the service's role; start the journal;
let the service build its application (which rebuilds its in-memory state from its own log);
start the gRPC server (NOT_SERVING; mutual TLS, every call authenticated and authorised);
given the broker's administrator, provision its topic, Kafka user and ACLs
(:mod:`cqx_bus.provision`), else wait until they are provisioned; start the relay and the
consumers (as its own Kafka principal), and the ``/metrics`` HTTP server
(:mod:`cqx_service.metrics`; its gauges sampled every :data:`SAMPLE_SECONDS`); report SERVING;
and on SIGTERM or SIGINT report NOT_SERVING, stop taking calls, finish the calls in progress
within the grace period, and stop everything. If the journal or a background task fails, the
process stops with an error, so that a supervisor restarts it and the restart rebuilds from
the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from cqx_bus.bookkeeping import PostgresBookkeeping
from cqx_bus.consumer import Consumer, Handler
from cqx_bus.provision import consumer_group, provision_service
from cqx_bus.relay import Relay
from cqx_bus.topics import await_group_coordinator, await_topic
from cqx_eventstore.port import EventStore
from cqx_eventstore.postgres import PostgresEventStore
from cqx_grpc import Gate, GrpcServer, ServicerRegistration
from cqx_kernel.errors import FailedPreconditionError
from cqx_service.application import EventSourcedApplication
from cqx_service.directory import AccountDirectory
from cqx_service.journal import Journal
from cqx_service.metrics import ServiceMetrics
from cqx_service.policy import Ownership, Policy
from cqx_service.schema import check_schema_version, migrate_schema, service_migrations
from cqx_service.settings import RuntimeSettings

A = TypeVar("A")

log = logging.getLogger("cqx.service")

SAMPLE_SECONDS = 2.0  # how often the lag and position gauges are refreshed


@dataclass(frozen=True)
class ConsumerSpec:
    """A subscription to other contexts' events: ``handler`` decides and applies each one of
    ``event_types`` (all of them when None; the others are not even looked up)."""

    source_contexts: Sequence[str]
    handler: Handler
    event_types: Collection[str] | None = None


@dataclass
class ServiceContext:
    """What the runtime gives a service's composition root: the settings and the ports (the
    runtime passes the PostgreSQL store; tests pass the in-memory one)."""

    settings: RuntimeSettings
    store: EventStore
    journal: Journal

    @classmethod
    def over(cls, store: EventStore, service: str) -> ServiceContext:
        """A context over ``store`` alone, with no database or broker behind it (unit tests,
        offline tools); its journal is not started yet."""
        settings = RuntimeSettings(
            service=service, database_url="", service_database_url="", kafka_bootstrap="",
            host="127.0.0.1", port=0, grace_seconds=0.0,
        )  # fmt: skip
        return cls(settings, store, Journal(store))


@dataclass
class Wiring:
    """What a service's composition root gives the runtime."""

    service_names: Sequence[str]
    registrations: Sequence[ServicerRegistration]
    consumers: Sequence[ConsumerSpec] = ()
    on_stop: Sequence[Callable[[], Awaitable[None]]] = field(default_factory=tuple)
    ownership: Ownership | None = None  # who owns what, for the policy (None: nobody owns)


Build = Callable[[ServiceContext], Awaitable[Wiring]]


@dataclass(frozen=True)
class Assembly(Generic[A]):
    """What a composition root's ``assemble`` built: the application (tests use it) and the
    wiring (the runtime serves it)."""

    app: A
    wiring: Wiring


def bus_health(source: str) -> str:
    """The health name that says whether ``source``'s events all passed the checks."""
    return f"cqx.bus.{source}"


def consumers_of(app: EventSourcedApplication[Any, Any]) -> list[ConsumerSpec]:
    """One consumer per source context of the application's foreign table (one group and one
    tracking name each, so a source added later never makes an existing consumer start over),
    each looking up only the types the table names."""
    return [
        ConsumerSpec(
            [source],
            app.on_foreign_event,
            app.foreign.event_types(source) | AccountDirectory.wanted(source),
        )
        for source in app.foreign.sources
    ]


class ServiceRuntime:
    """Runs one service (see the module docstring)."""

    def __init__(
        self, settings: RuntimeSettings, build: Build, *, migrations: Path | None = None
    ) -> None:
        self.settings = settings
        self._build = build
        # the service's own migration folder, and the one the caller names (tests)
        self._folders = [
            *service_migrations(settings.service),
            *([migrations] if migrations else []),
        ]
        self.port: int | None = None
        self.metrics_port: int | None = None  # where /metrics is served, once started
        self.metrics = ServiceMetrics(settings.service)
        self.ready = asyncio.Event()
        self._server: GrpcServer | None = None
        self._health_updates: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Run until SIGTERM/SIGINT (or a failure, raised)."""
        s = self.settings
        if s.database_url is not None:
            applied = await self.migrate()
            log.info("%s: schema up to date (%d applied now)", s.service, len(applied))
        else:
            await check_schema_version(s, self._folders)
            log.info("%s: schema up to date (migrated by the migration step)", s.service)
        store = await PostgresEventStore.connect(s.service_database_url, s.schema)
        journal = Journal(store, metrics=self.metrics.journal)
        journal.start()
        try:
            wiring = await self._build(ServiceContext(s, store, journal))
            await self._serve(store, journal, wiring)
        finally:
            self.metrics.stop()  # also when the start failed after the server was up
            await journal.stop()
            await store.close()

    async def migrate(self) -> list[str]:
        """Bring the schema up to date as the administrator (the migration step); the names
        of the migrations applied now."""
        return await migrate_schema(self.settings, self._folders)

    async def _serve(self, store: PostgresEventStore, journal: Journal, wiring: Wiring) -> None:
        s = self.settings
        server = self.grpc_server(wiring)
        self.port = await server.start(s.host, s.port)
        if s.metrics_port is not None:
            self.metrics_port = self.metrics.serve(s.host, s.metrics_port)
        await self._join_bus(wiring)
        relay = self._relay(store)
        consumers = [self._consumer(store, journal, spec) for spec in wiring.consumers]
        for spec in wiring.consumers:
            for context in spec.source_contexts:
                await server.set_condition(bus_health(context), True)
        self._server = server
        tasks = [asyncio.create_task(relay.run(), name="relay")]
        tasks += [
            asyncio.create_task(self._consume(consumer, spec), name=f"consumer-{i}")
            for i, (consumer, spec) in enumerate(zip(consumers, wiring.consumers, strict=True))
        ]
        tasks.append(asyncio.create_task(self._sample(store, relay, consumers), name="metrics"))
        await server.set_serving()
        self.ready.set()
        log.info("%s: serving on %s:%d", s.service, s.host, self.port)
        if self.metrics_port is not None:
            log.info("%s: metrics on http://%s:%d/metrics", s.service, s.host, self.metrics_port)
        stop = asyncio.create_task(server.serve_until_signal(s.grace_seconds))
        failed = asyncio.create_task(journal.failed.wait())
        everything = [stop, failed, *tasks]
        try:
            done, _ = await asyncio.wait(everything, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when cancelled: stop serving, then stop the background work
            if not stop.done():
                stop.cancel()
                await server.stop(s.grace_seconds)
            for task in everything:
                task.cancel()
            await asyncio.gather(*everything, return_exceptions=True)
            for hook in wiring.on_stop:
                await hook()
        for task in done:
            if task not in (stop, failed) and task.exception() is not None:
                raise RuntimeError(f"{task.get_name()} failed") from task.exception()
        if journal.failure is not None:
            raise RuntimeError("a commit failed; restart to rebuild") from journal.failure

    def grpc_server(self, wiring: Wiring) -> GrpcServer:
        """The service's server: mutual TLS with its credential, every call authenticated and
        authorised by the policy (there is no other kind in the product)."""
        tls = self.settings.tls.check()
        ownership = wiring.ownership or Ownership(lambda _account: None)
        return GrpcServer(
            service_names=wiring.service_names,
            registrations=wiring.registrations,
            gate=Gate(Policy(ownership), tls.revocations()),
            tls=tls,
            observer=self.metrics.calls,
        )

    async def _join_bus(self, wiring: Wiring) -> None:
        """Provision the service's topic, user and ACLs (given the administrator), else check
        that someone did: its principal sees its own topic."""
        s = self.settings
        admin, own = s.kafka_admin, s.kafka
        if admin is not None:
            consumes = [context for spec in wiring.consumers for context in spec.source_contexts]
            await provision_service(
                admin, s.namespace, s.service, consumes=consumes, credentials=own.credentials
            )
        elif not await await_topic(own, s.topic(s.service)):
            raise FailedPreconditionError(
                f"kafka user {own.credentials.username} cannot see topic {s.topic(s.service)}: "
                f"provision it first (python -m cqx_bus provision {s.service} --consumes …)"
            )

    def _relay(self, store: PostgresEventStore) -> Relay:
        s = self.settings
        books = PostgresBookkeeping(store.pool, s.schema)
        return Relay(store, books, source=s.service, access=s.kafka, topic=s.topic(s.service))

    def _consumer(
        self, store: PostgresEventStore, journal: Journal, spec: ConsumerSpec
    ) -> Consumer:
        s = self.settings
        topics = {s.topic(context): context for context in spec.source_contexts}
        name = consumer_group(s.schema, spec.source_contexts)  # also the tracking name
        return Consumer(
            name, topics, access=s.kafka, store=store,
            bookkeeping=PostgresBookkeeping(store.pool, s.schema), handler=spec.handler,
            submit=journal.submit, event_types=spec.event_types,
            on_refused=self._envelope_refused,
        )  # fmt: skip

    def _envelope_refused(self, source: str, reason: str) -> None:
        """Count a refused envelope, and say so in health: ``cqx.bus.<source>`` turns
        NOT_SERVING until the service restarts (someone wrote to a topic what its owner did
        not, or a link is missing: an operator looks). The services keep serving."""
        self.metrics.envelope_refused(source, reason)
        if self._server is not None:
            task = asyncio.get_running_loop().create_task(
                self._server.set_condition(bus_health(source), False)
            )
            self._health_updates.add(task)
            task.add_done_callback(self._health_updates.discard)

    async def _consume(self, consumer: Consumer, spec: ConsumerSpec) -> None:
        s = self.settings
        for context in spec.source_contexts:
            await await_topic(s.kafka, s.topic(context))
        await await_group_coordinator(s.kafka, consumer.name)  # its group's id
        with contextlib.suppress(asyncio.CancelledError):
            await consumer.run()

    async def _sample(
        self, store: PostgresEventStore, relay: Relay, consumers: Sequence[Consumer]
    ) -> None:
        """Refresh the lag and position gauges until cancelled; a failed sample is skipped
        (a gauge that is late is better than a service that stops over it)."""
        while True:
            try:
                head, _ = await store.head()
                self.metrics.positions(relay=relay.published, head=head)
                for consumer in consumers:
                    lag = await consumer.lag()
                    if lag is not None:
                        self.metrics.consumer_lag(consumer.name, lag)
            except Exception as error:  # a late gauge is better than a stopped service
                log.debug("%s: metrics sample failed: %s", self.settings.service, error)
            await asyncio.sleep(SAMPLE_SECONDS)
