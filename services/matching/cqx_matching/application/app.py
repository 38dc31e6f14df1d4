"""The exchange application: one in-memory engine, one writer, two sources of work.

At start it folds its own log into the engine (``Exchange.evolve``) and the read models. A
client command is decided synchronously through the journal — the engine applies it and
returns its events (a rejection is an event: recorded, then raised as the client's error) —
and answered after the commit. Foreign events (registry's moves into and out of trading,
settlement's deposits and withdrawals) are decided the same way and returned as the unit the
consumer records. The engine's state is the state: no command reads the database.

If the engine or the recording of its events fails half-way, memory is ahead of the log:
the application stops taking work and stops the journal, so the process restarts and
rebuilds from what was really recorded. A defect met before the engine began to change its
state (``UndecidableCommandError``) fails that call only.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import NoReturn, TypeVar

from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_eventstore import EventStore, UnitOfWork
from cqx_kernel.clock import Clock
from cqx_matching.application import queries
from cqx_matching.application.deal_views import DealHistory
from cqx_matching.application.errors import ExchangeRestartingError
from cqx_matching.application.foreign_events import ForeignRequest
from cqx_matching.application.order_views import OrderHistory
from cqx_matching.application.provenance import NO_PROVENANCE, Provenance
from cqx_matching.application.publishing import LiveFeed, Staged
from cqx_matching.application.recording import (
    Answer,
    EventCodec,
    append_requests,
    decision_for,
)
from cqx_matching.config import MatchingSettings
from cqx_matching.domain import (
    CloseInstrumentDay,
    Command,
    Event,
    Exchange,
    OpenInstrumentDay,
    TradingRestricted,
    timestamp,
)
from cqx_matching.domain.errors import UndecidableCommandError
from cqx_service import (
    Decision,
    ForeignEventRefusedError,
    ForeignEvents,
    Journal,
    reaction_metadata,
)
from cqx_service.application import CallIds
from cqx_service.directory import AccountDirectory

log = logging.getLogger("cqx.matching")
T = TypeVar("T")


class Subject(StrEnum):
    """What a command names by id, and so trades in that thing's instrument."""

    ORDER = "order"
    NEGOTIATION = "negotiation"
    AUCTION = "auction"


class Ticket:
    """One command's decision and what it staged for the live feed."""

    __slots__ = ("decision", "staged")

    def __init__(self) -> None:
        self.decision: Decision | None = None
        self.staged: Staged | None = None


def _no_answer(_: Sequence[Event]) -> bytes:
    return b""


class MatchingApplication:
    """The in-memory exchange and the handlers that change it."""

    def __init__(
        self,
        journal: Journal,
        settings: MatchingSettings,
        codec: EventCodec,
        foreign: ForeignEvents[ForeignRequest],
        clock: Clock,
        new_id: Callable[[], str],
    ) -> None:
        self.journal = journal
        self.settings = settings
        self.exchange = Exchange((), settings.calendar(), settings.instrument_config)
        self.orders = OrderHistory()
        self.deals = DealHistory()
        self.feed = LiveFeed()
        self.new_id = new_id
        self._codec = codec
        self.foreign = foreign
        self.directory = AccountDirectory()  # who owns an account, as the registry said
        self._clock = clock
        self.broken: BaseException | None = None

    def now(self) -> int:
        """The exchange's clock: microseconds since the epoch, UTC."""
        return timestamp(self._clock.now())

    async def rebuild(self, store: EventStore) -> int:
        """Fold the service's own log into the engine and the read models; return how many
        events were applied. The engine's invariants are checked at the end."""
        applied = 0
        async for rows in store.read_rows():
            for _position, _stream, _version, event_type, payload in rows:
                if self._codec.is_own(event_type):
                    self._replay(self._codec.decode(event_type, payload))
                    applied += 1
                elif self.directory.fold(event_type, payload):
                    applied += 1
        self.exchange.validate_internal_state()
        return applied

    def _replay(self, event: Event) -> None:
        self.exchange.evolve(event)
        self._fold(event)

    def _fold(self, event: Event) -> None:
        self.orders.apply(event)
        self.deals.apply(event)

    # --- client commands ----------------------------------------------------------------

    async def trade(self, ids: CallIds, make: Callable[[int], Command], answer: Answer) -> bytes:
        """Run an order, deal or bidding command once per request id; the response bytes."""
        return await self._run(ids, lambda t: self._decide(make, answer, ids.metadata, t))

    async def trade_on(
        self,
        ids: CallIds,
        subject: Subject,
        subject_id: str,
        make: Callable[[str, int], Command],
        answer: Answer,
    ) -> bytes:
        """Run a command on an order, negotiation or auction (made from its instrument and
        the time); an id the exchange never gave is NOT_FOUND, and nothing is recorded."""
        instrument = self._instrument_of(subject, subject_id)
        return await self.trade(ids, lambda at: make(instrument, at), answer)

    def _instrument_of(self, subject: Subject, subject_id: str) -> str:
        if subject is Subject.ORDER:
            return queries.order(self.orders, subject_id).instrument
        if subject is Subject.NEGOTIATION:
            return queries.negotiation(self.deals, subject_id).instrument
        return queries.auction(self.deals, subject_id).instrument

    async def open_day(
        self,
        ids: CallIds,
        instrument: str,
        day: date | None,
        previous_close: int,
        answer: Answer,
    ) -> bytes:
        """Open an instrument's trading day (operator); ``day`` None: today."""

        def make(at: int) -> Command:
            today = day or self.exchange.calendar.day_of(at)
            return OpenInstrumentDay(instrument, today, previous_close, at)

        return await self.trade(ids, make, answer)

    async def close_day(self, ids: CallIds, instrument: str, answer: Answer) -> bytes:
        """Close an instrument's trading day (operator)."""
        make = functools.partial(CloseInstrumentDay, instrument)
        return await self.trade(ids, make, answer)

    def _decide(
        self,
        make: Callable[[int], Command],
        answer: Answer,
        metadata: Mapping[str, str],
        ticket: Ticket,
    ) -> Decision:
        command = make(self.now())
        events = self._engine(lambda: self.exchange.apply(command))
        return self._conclude(events, metadata, answer, ticket)

    async def _run(self, ids: CallIds, decide: Callable[[Ticket], Decision]) -> bytes:
        ticket = Ticket()

        def decide_now() -> Decision:
            if self.broken is not None:
                raise ExchangeRestartingError("the exchange is restarting to rebuild its state")
            return decide(ticket)

        # The commit goes on even if the caller goes away: its live-feed release must too.
        task = asyncio.ensure_future(
            self.journal.execute(ids.request_id, decide_now, ids.fingerprint)
        )
        task.add_done_callback(functools.partial(self._settled, ticket))
        return await asyncio.shield(task)

    def _settled(self, ticket: Ticket, task: asyncio.Future[bytes]) -> None:
        error = None if task.cancelled() else task.exception()
        staged, decision = ticket.staged, ticket.decision
        if staged is None:
            return
        committed = not task.cancelled() and (
            error is None
            or (decision is not None and error is decision.error and bool(decision.requests))
        )
        self.feed.settle(staged, committed)

    # --- foreign events -------------------------------------------------------------------

    async def on_foreign_event(self, envelope: EventEnvelope) -> UnitOfWork:
        """Decide and apply what a registry or settlement event asks; the unit to record."""
        if self.broken is not None:
            raise ExchangeRestartingError("the exchange is restarting to rebuild its state")
        learnt = self.directory.reaction(envelope, self.new_id)
        if learnt is not None:
            return UnitOfWork([learnt])
        request = self.foreign.command_for(envelope)  # undecodable: dead-lettered
        if request is None:
            return UnitOfWork()
        metadata = reaction_metadata(envelope)
        command = request.make(self.now())
        try:
            events = self._engine(lambda: self.exchange.apply(command))
        except ExchangeRestartingError:
            raise
        except Exception as error:  # undecidable, the state unchanged: a dead letter
            raise ForeignEventRefusedError(
                f"{envelope.event_type} {envelope.event_id} could not be decided: {error!r}",
                metadata={"event_id": envelope.event_id},
            ) from error
        decision = self._conclude(events, metadata, _no_answer, provenance=request.provenance)
        if any(isinstance(e, TradingRestricted) for e in events):
            # A restriction took orders off the books (R-A5): subscribers see the depth change.
            # Released now: the consumer commits the unit next, out of the application's sight.
            self.feed.settle(self.feed.stage(self.exchange, events, self.orders.day), True)
        return UnitOfWork(requests=decision.requests)

    # --- recording ------------------------------------------------------------------------

    def _conclude(
        self,
        events: list[Event],
        metadata: Mapping[str, str],
        answer: Answer,
        ticket: Ticket | None = None,
        provenance: Provenance = NO_PROVENANCE,
    ) -> Decision:
        """Fold the (applied) events into the read models and make the decision to record."""
        try:
            for event in events:
                self._fold(event)
            day = self.orders.day
            trading_date = day.isoformat() if day is not None else ""

            def encode(event: Event) -> tuple[str, bytes]:
                return self._codec.encode(event, trading_date, provenance)

            requests = append_requests(events, encode, self.new_id, metadata)
            decision = decision_for(events, requests, answer)
            if ticket is not None:
                ticket.decision = decision
                ticket.staged = self.feed.stage(self.exchange, events, day)
            return decision
        except Exception as error:  # memory is ahead of the log now
            self._break(error)

    def _engine(self, step: Callable[[], T]) -> T:
        try:
            return step()
        except UndecidableCommandError as error:
            # A defect met before the state began to change: this call fails (INTERNAL at
            # the edge, with a correlation id) and the exchange goes on. Stopping here would
            # let one request stop the exchange (an AnnounceBidding window of 2**63-1 did).
            log.exception("a command could not be decided; the exchange's state is unchanged")
            raise (error.__cause__ or error) from None
        except Exception as error:
            self._break(error)

    def _break(self, error: Exception) -> NoReturn:
        log.exception("the exchange's state is no longer trustworthy; restarting", exc_info=error)
        self.broken = error
        self.journal.fail(error)
        raise ExchangeRestartingError("the exchange is restarting to rebuild its state") from error
