"""The allocation application: the state in memory, commands through the journal, consumers.

At start the state is rebuilt by folding the service's own log. A command is decided and
applied synchronously inside ``journal.execute`` (so no two decisions interleave), and its
answer is rendered there too, from the state right after its events: a retried request id
gets that first answer back from the journal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_allocation.application.ports import EventCodec, ForeignEvents
from cqx_allocation.application.streams import append_requests
from cqx_allocation.domain.commands import Command, IssueAllocation
from cqx_allocation.domain.decisions import decide
from cqx_allocation.domain.events import Event
from cqx_allocation.domain.evolution import evolve
from cqx_allocation.domain.state import AllocationState
from cqx_eventstore import AppendRequest, EventStore, UnitOfWork
from cqx_kernel.clock import new_id
from cqx_service import Decision, Journal

Render = Callable[[Sequence[Event]], bytes]
"""Turns a command's events (already applied to the state) into the response's bytes."""


class AllocationApplication:
    """The allocation service's state and the handlers that change it."""

    def __init__(
        self,
        journal: Journal,
        codec: EventCodec,
        foreign: ForeignEvents,
        *,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self.state = AllocationState()
        self._journal = journal
        self._codec = codec
        self._foreign = foreign
        self._ids = ids

    async def rebuild(self, store: EventStore) -> int:
        """Fold the service's own log into the state; return how many events it applied."""
        applied = 0
        async for rows in store.read_rows():
            for _position, _stream, _version, event_type, payload in rows:
                event = self._codec.decode(event_type, payload)
                if event is not None:
                    evolve(self.state, event)
                    applied += 1
        return applied

    async def execute(
        self, request_id: str, command: Command, render: Render, metadata: Mapping[str, str]
    ) -> bytes:
        """Run ``command`` once per request id; return the rendered answer (the first one)."""
        return await self._journal.execute(
            request_id, lambda: self._decide(command, render, metadata)
        )

    async def issue_allocation(
        self, request_id: str, entity_id: str, year: int, render: Render,
        metadata: Mapping[str, str],
    ) -> bytes:  # fmt: skip
        """Issue the entity's unissued allocation for ``year`` under a fresh issuance id."""
        command = IssueAllocation(entity_id, year, issuance_id=self._ids())
        return await self.execute(request_id, command, render, metadata)

    async def on_foreign_event(self, envelope: EventEnvelope) -> UnitOfWork:
        """Decide and apply what another context's event causes here (maybe nothing)."""
        command = self._foreign.command_for(envelope)
        if command is None:
            return UnitOfWork()
        metadata = {
            "causation_id": envelope.event_id,
            "correlation_id": envelope.metadata.get("correlation_id") or envelope.event_id,
            "actor": envelope.source,
        }
        return UnitOfWork(requests=self._apply(decide(self.state, command), metadata))

    def _decide(self, command: Command, render: Render, metadata: Mapping[str, str]) -> Decision:
        events = decide(self.state, command)
        requests = self._apply(events, metadata)
        return Decision(requests=requests, response=render(events))

    def _apply(self, events: Sequence[Event], metadata: Mapping[str, str]) -> list[AppendRequest]:
        for event in events:
            evolve(self.state, event)
        ids = [self._ids() for _ in events]
        return append_requests(events, self._codec, ids, metadata)
