"""The clearing house application: one in-memory ledger, one writer, two sources of work.

At start it folds its own log into a :class:`ClearingLedger`. Client commands run through the
journal (``decide`` and ``evolve`` synchronously, then recorded with the request id's
outcome); the exchange's and the registry's events run through
:meth:`ClearingHouse.on_foreign_event`, which
decides and applies them the same way and returns the unit the consumer records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from google.protobuf.message import DecodeError

from cqx_eventstore import AppendRequest, EventStore, UnitOfWork
from cqx_service import Decision, Journal
from cqx_settlement.application.streams import append_requests
from cqx_settlement.domain.commands import CloseSettlementDay, Command
from cqx_settlement.domain.days import break_error
from cqx_settlement.domain.decide import ClearingRules, decide
from cqx_settlement.domain.errors import SettlementError
from cqx_settlement.domain.events import Event, ReconciliationBreak
from cqx_settlement.domain.ledger import ClearingLedger, evolve

log = logging.getLogger("cqx.settlement")

Answer = Callable[[Sequence[Event]], bytes]
Translate = Callable[[EventEnvelope], Command | None]


class EventCodec(Protocol):
    """Domain events ↔ stored ``(event_type, payload)``."""

    def encode(self, event: Event) -> tuple[str, bytes]:
        """The stored form of ``event``."""

    def decode(self, event_type: str, payload: bytes) -> Event:
        """The domain event stored as ``(event_type, payload)``."""

    def is_own(self, event_type: str) -> bool:
        """Whether ``event_type`` is one of this service's events."""


class ClearingHouse:
    """The in-memory clearing ledger and the handlers that change it."""

    def __init__(
        self,
        journal: Journal,
        rules: ClearingRules,
        codec: EventCodec,
        translate: Translate,
        new_id: Callable[[], str],
    ) -> None:
        self.journal = journal
        self.rules = rules
        self.ledger = ClearingLedger()
        self._codec = codec
        self._translate = translate
        self.new_id = new_id

    async def rebuild(self, store: EventStore) -> int:
        """Fold the service's own log into the ledger; return how many events were applied."""
        applied = 0
        async for rows in store.read_rows():
            for _position, _stream, _version, event_type, payload in rows:
                if self._codec.is_own(event_type):
                    evolve(self.ledger, self._codec.decode(event_type, payload))
                    applied += 1
        return applied

    async def execute(
        self, request_id: str, command: Command, answer: Answer, metadata: Mapping[str, str]
    ) -> bytes:
        """Run a client command once per request id; return the recorded response bytes."""
        return await self.journal.execute(
            request_id, lambda: self._decide(command, answer, metadata)
        )

    async def on_foreign_event(self, envelope: EventEnvelope) -> UnitOfWork:
        """Decide and apply what one of the exchange's or the registry's events causes; the
        unit to record."""
        try:
            command = self._translate(envelope)
        except DecodeError as error:
            log.warning("undecodable %s %s: %s", envelope.event_type, envelope.event_id, error)
            return UnitOfWork()
        if command is None:
            return UnitOfWork()
        try:
            events = decide(self.ledger, command, self.rules)
        except SettlementError as error:
            # A report the rules cannot even judge (no trade id, no date): nothing to record
            # against; the log line names it, and the day's reconciliation shows the gap.
            log.warning("ignored %s %s: %s", envelope.event_type, envelope.event_id, error)
            return UnitOfWork()
        self._apply(events)
        metadata = {
            "causation_id": envelope.event_id,
            "correlation_id": envelope.metadata.get("correlation_id") or envelope.event_id,
            "actor": envelope.source or "unknown",
        }
        return UnitOfWork(requests=self._requests(events, metadata))

    def _decide(self, command: Command, answer: Answer, metadata: Mapping[str, str]) -> Decision:
        events = decide(self.ledger, command, self.rules)  # raises: nothing recorded
        self._apply(events)
        requests = self._requests(events, metadata)
        breaks = [e for e in events if isinstance(e, ReconciliationBreak)]
        if breaks and isinstance(command, CloseSettlementDay):
            return Decision(requests, error=break_error(command.trading_date, breaks))
        return Decision(requests, answer(events))

    def _apply(self, events: Sequence[Event]) -> None:
        for event in events:
            evolve(self.ledger, event)

    def _requests(
        self, events: Sequence[Event], metadata: Mapping[str, str]
    ) -> list[AppendRequest]:
        return append_requests(events, self._codec.encode, self.new_id, metadata)
