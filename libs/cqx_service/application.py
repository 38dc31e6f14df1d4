"""The event-sourced application every service stands on: rebuild, execute, foreign events.

A service keeps its state in memory, rebuilt at start by folding its own log. A client command
runs through the :class:`~cqx_service.journal.Journal`: decided against the state, its events
applied to it and recorded, the caller answered after the commit, once per request id. An
event of another service is turned into a command by the service's foreign table, decided the
same way, and returned as the unit the consumer records with its tracking record.

A service gives three things: ``decide`` (the domain's rules), ``evolve`` (how an event changes
the state) and ``stream_of`` (which stream an event is recorded on); everything else is here,
once.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_bus.errors import UnusableMessageError
from cqx_eventstore import AppendRequest, EventStore, NewEvent, UnitOfWork
from cqx_kernel.clock import new_id as uuid4_id
from cqx_kernel.errors import CqxError
from cqx_service.approvals import Approvals
from cqx_service.directory import AccountDirectory
from cqx_service.foreign import ForeignEvents, reaction_metadata
from cqx_service.journal import Decision, Journal

E = TypeVar("E")
C = TypeVar("C")
E_contra = TypeVar("E_contra", contravariant=True)

log = logging.getLogger("cqx.service")

Render = Callable[[Sequence[E]], bytes]
"""Turns a command's events (already applied to the state) into the response's bytes."""


class Codec(Protocol[E]):
    """What the application needs of a service's codec (:class:`cqx_service.codec.EventCodec`)."""

    def knows(self, event_type: str) -> bool:
        """Whether ``event_type`` is one of the service's own events."""
        ...

    def encode(self, event: E) -> tuple[str, bytes]:
        """The stored type and payload of ``event``."""
        ...

    def decode(self, event_type: str, payload: bytes, stream_id: str = "") -> E:
        """The domain event stored as ``event_type``/``payload`` on ``stream_id``."""
        ...


@dataclass(frozen=True)
class CallIds:
    """Who asks what: a mutating call's request id, the metadata of the events it records,
    and the request's fingerprint (the same id with another fingerprint is refused)."""

    request_id: str
    metadata: dict[str, str]
    fingerprint: str = ""


@dataclass(frozen=True)
class Decided(Generic[E]):
    """What the rules decided: events, and a refusal (with events: recorded, then raised)."""

    events: Sequence[E] = ()
    refusal: CqxError | None = None


class ForeignEventRefusedError(UnusableMessageError):
    """The rules refused what a foreign event asked, and there is nothing to record for it."""

    default_reason = "FOREIGN_EVENT_REFUSED"


class EventSourcedApplication(ABC, Generic[E, C]):
    """A service's state in memory and the one way it changes (see the module docstring)."""

    def __init__(
        self,
        journal: Journal,
        codec: Codec[E],
        foreign: ForeignEvents[C],
        *,
        new_id: Callable[[], str] = uuid4_id,
    ) -> None:
        self.journal = journal
        self.codec = codec
        self.foreign = foreign
        self.new_id = new_id
        self.directory = AccountDirectory()  # who owns an account, as the registry said
        self.approvals = Approvals()  # four eyes: what waits for a second operator

    @abstractmethod
    def decide(self, command: C) -> Decided[E]:
        """The events ``command`` causes in the current state, or why it is refused."""

    @abstractmethod
    def evolve(self, event: E) -> None:
        """Apply ``event`` to the state."""

    @abstractmethod
    def stream_of(self, event: E) -> str:
        """The stream ``event`` is recorded on."""

    async def rebuild(self, store: EventStore) -> int:
        """Fold the service's own log into the state; the number of events applied."""

        def other(event_type: str, payload: bytes) -> bool:
            return self.directory.fold(event_type, payload) or self.approvals.fold(
                event_type, payload
            )

        return await fold_log(store, self.codec, self.evolve, other=other)

    async def execute(
        self,
        request_id: str,
        command: C,
        render: Render[E],
        metadata: Mapping[str, str],
        *,
        fingerprint: str = "",
    ) -> bytes:
        """Run ``command`` once per request id; the rendered answer (the first one, always).
        The same request id with another ``fingerprint`` is refused (REQUEST_ID_REUSED)."""

        def decision() -> Decision:
            decided = self.decide(command)  # a refusal raised here changed nothing
            try:
                requests = self.record(decided.events, metadata)
                if decided.refusal is not None:
                    return Decision(requests, error=decided.refusal)
                return Decision(requests, render(decided.events))
            except Exception as error:  # memory may be ahead of the log now
                self.journal.fail(error)
                raise

        return await self.journal.execute(request_id, decision, fingerprint)

    async def on_foreign_event(self, envelope: EventEnvelope) -> UnitOfWork:
        """Decide and apply what another service's event asks here; the unit to record.

        A payload that does not decode, or a command the rules refuse with nothing to record,
        is an :class:`~cqx_bus.errors.UnusableMessageError`: the consumer dead-letters it."""
        learnt = self.directory.reaction(envelope, self.new_id)
        if learnt is not None:
            return UnitOfWork([learnt])
        command = self.foreign.command_for(envelope)
        if command is None:
            return UnitOfWork()
        try:
            decided = self.decide(command)
        except CqxError as error:
            raise ForeignEventRefusedError(
                f"{envelope.event_type} {envelope.event_id}: {error.reason}: {error.message}",
                metadata={"event_id": envelope.event_id, "refusal": error.reason},
            ) from error
        if not decided.events:
            log.warning("%s %s changed nothing", envelope.event_type, envelope.event_id)
        return UnitOfWork(self.record(decided.events, reaction_metadata(envelope)))

    def record(self, events: Sequence[E], metadata: Mapping[str, str]) -> list[AppendRequest]:
        """Apply ``events`` to the state; their appends, one per run of the same stream, in
        the order they were decided (no version check: this process is the single writer)."""
        requests: list[AppendRequest] = []
        run: list[NewEvent] = []
        stream = ""
        for event in events:
            self.evolve(event)
            next_stream = self.stream_of(event)
            if run and next_stream != stream:
                requests.append(AppendRequest(stream, None, run, dict(metadata)))
                run = []
            stream = next_stream
            run.append(NewEvent(self.new_id(), *self.codec.encode(event)))
        if run:
            requests.append(AppendRequest(stream, None, run, dict(metadata)))
        return requests


async def fold_log(
    store: EventStore,
    codec: Codec[E],
    apply: Callable[[E], object],
    *,
    to_position: int | None = None,
    other: Callable[[str, bytes], bool] | None = None,
) -> int:
    """Apply each of the service's own events in ``store`` (up to ``to_position``), in log
    order; the number applied. A type the codec does not know goes to ``other`` (the
    directory), which says whether it applied it; else it is skipped."""
    applied = 0
    async for rows in store.read_rows(to_position=to_position):
        for _position, stream, _version, event_type, payload in rows:
            if codec.knows(event_type):
                apply(codec.decode(event_type, payload, stream))
                applied += 1
            elif other is not None and other(event_type, payload):
                applied += 1
    return applied
