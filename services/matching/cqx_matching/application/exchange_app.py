"""The exchange application: one in-memory engine, one writer, two sources of work.

At start it folds its own log into the engine (``Exchange.evolve``) and the read models. A
client command is decided synchronously through the journal — the engine applies it and
returns its events (a rejection is an event: recorded, then raised as the client's error) —
and answered after the commit. Foreign events (registry's moves into and out of trading,
settlement's deposits and withdrawals) are decided the same way and returned as the unit the
consumer records. The engine's state is the state: no command reads the database.

If the engine or the recording of its events fails half-way, memory is ahead of the log:
the application stops taking work and stops the journal, so the process restarts and
rebuilds from what was really recorded.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import NoReturn, TypeVar

from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from google.protobuf.message import DecodeError

from cqx_eventstore import EventStore, UnitOfWork
from cqx_kernel.clock import Clock
from cqx_matching.application.deal_views import DealHistory
from cqx_matching.application.errors import ExchangeRestartingError
from cqx_matching.application.foreign_events import (
    Translate,
    caused_by,
    listing_for_credit,
)
from cqx_matching.application.listing import (
    NO_PROVENANCE,
    InstrumentDayOpened,
    InstrumentListed,
    Provenance,
    Recorded,
)
from cqx_matching.application.order_views import OrderHistory
from cqx_matching.application.publishing import LiveFeed, Staged
from cqx_matching.application.recording import (
    Answer,
    EventCodec,
    append_requests,
    decision_for,
)
from cqx_matching.application.trading_days import (
    InstrumentDays,
    apply_listing,
    close_day,
    open_day,
)
from cqx_matching.config import MatchingSettings
from cqx_matching.domain import (
    Command,
    CommandRejected,
    Exchange,
    Reason,
    timestamp,
)
from cqx_matching.domain.decisions import rejection
from cqx_service import Decision, Journal

log = logging.getLogger("cqx.matching")
T = TypeVar("T")

Precheck = Callable[[], str | None]


class Ticket:
    """One command's decision and what it staged for the live feed."""

    __slots__ = ("decision", "staged")

    def __init__(self) -> None:
        self.decision: Decision | None = None
        self.staged: Staged | None = None


def _no_answer(_: Sequence[Recorded]) -> bytes:
    return b""


class MatchingApplication:
    """The in-memory exchange and the handlers that change it."""

    def __init__(
        self,
        journal: Journal,
        settings: MatchingSettings,
        codec: EventCodec,
        translate: Translate,
        clock: Clock,
        new_id: Callable[[], str],
    ) -> None:
        self.journal = journal
        self.settings = settings
        self.exchange = Exchange((), settings.calendar())
        self.days = InstrumentDays()
        self.orders = OrderHistory()
        self.deals = DealHistory()
        self.feed = LiveFeed()
        self.new_id = new_id
        self._codec = codec
        self._translate = translate
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
        self.exchange.validate_internal_state()
        return applied

    def _replay(self, event: Recorded) -> None:
        if isinstance(event, InstrumentListed | InstrumentDayOpened):
            apply_listing(self.exchange, event)
        else:
            self.exchange.evolve(event)
        self._fold(event)

    def _fold(self, event: Recorded) -> None:
        self.days.apply(event)
        self.orders.apply(event)
        self.deals.apply(event)

    # --- client commands ----------------------------------------------------------------

    async def trade(
        self,
        request_id: str,
        metadata: Mapping[str, str],
        make: Callable[[int], Command],
        answer: Answer,
        precheck: Precheck | None = None,
    ) -> bytes:
        """Run an order, deal or bidding command once per request id; the response bytes.

        ``precheck`` (run when the command is decided) may name a reason to reject it with
        before the engine sees it (an amendment of an order closed on an earlier day).
        """
        return await self._run(
            request_id, lambda t: self._decide_trade(make, answer, metadata, t, precheck)
        )

    async def open_day(
        self,
        request_id: str,
        metadata: Mapping[str, str],
        instrument: str,
        day: date | None,
        previous_close: int,
        answer: Answer,
    ) -> bytes:
        """Open an instrument's trading day (operator); ``day`` None: today."""

        def decide(ticket: Ticket) -> Decision:
            listing = self.settings.instrument_config
            at = self.now()
            today = day or self.exchange.calendar.day_of(at)
            events = self._engine(
                lambda: open_day(
                    self.exchange, self.days, listing, instrument, today, previous_close, at
                )
            )
            return self._conclude(events, metadata, answer, ticket)

        return await self._run(request_id, decide)

    async def close_day(
        self, request_id: str, metadata: Mapping[str, str], instrument: str, answer: Answer
    ) -> bytes:
        """Close an instrument's trading day (operator)."""

        def decide(ticket: Ticket) -> Decision:
            at = self.now()
            events = self._engine(lambda: close_day(self.exchange, self.days, instrument, at))
            return self._conclude(events, metadata, answer, ticket)

        return await self._run(request_id, decide)

    def _decide_trade(
        self,
        make: Callable[[int], Command],
        answer: Answer,
        metadata: Mapping[str, str],
        ticket: Ticket,
        precheck: Precheck | None,
    ) -> Decision:
        command = make(self.now())
        instrument: str = getattr(command, "instrument", "")
        reason = precheck() if precheck is not None else None
        events: list[Recorded]
        if reason:
            events = [rejection(command, reason)]
        elif instrument not in self.exchange.markets:
            events = [rejection(command, Reason.UNKNOWN_INSTRUMENT)]
        elif not self.days.is_open(instrument):
            events = [rejection(command, Reason.DAY_NOT_OPEN)]
        else:
            events = [*self._engine(lambda: self.exchange.apply(command))]
        return self._conclude(events, metadata, answer, ticket)

    async def _run(self, request_id: str, decide: Callable[[Ticket], Decision]) -> bytes:
        ticket = Ticket()

        def decide_now() -> Decision:
            if self.broken is not None:
                raise ExchangeRestartingError("the exchange is restarting to rebuild its state")
            return decide(ticket)

        # The commit goes on even if the caller goes away: its live-feed release must too.
        task = asyncio.ensure_future(self.journal.execute(request_id, decide_now))
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
        try:
            request = self._translate(envelope)
        except DecodeError as error:
            log.warning("undecodable %s %s: %s", envelope.event_type, envelope.event_id, error)
            return UnitOfWork()
        if request is None:
            return UnitOfWork()
        metadata = caused_by(envelope)
        command = request.make(self.now())
        events = self._engine(lambda: listing_for_credit(self.exchange, self.settings, command))
        if not (events and isinstance(events[0], CommandRejected)):
            events += self._engine(lambda: self.exchange.apply(command))
        decision = self._conclude(events, metadata, _no_answer, provenance=request.provenance)
        return UnitOfWork(requests=decision.requests)

    # --- recording ------------------------------------------------------------------------

    def _conclude(
        self,
        events: list[Recorded],
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

            def encode(event: Recorded) -> tuple[str, bytes]:
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
        except Exception as error:
            self._break(error)

    def _break(self, error: Exception) -> NoReturn:
        log.exception("the exchange's state is no longer trustworthy; restarting", exc_info=error)
        self.broken = error
        self.journal.failure = error
        self.journal.failed.set()
        raise ExchangeRestartingError("the exchange is restarting to rebuild its state") from error
