"""Which stream each event is recorded on, and the appends one decision makes.

``book-<instrument>``: orders, trades, deals, auctions and days of one instrument;
``risk-<account>``: the risk ledger of one trading account; ``exchange``: the exchange-wide
trading day; ``participant-<id>``: a participant's restriction (R-A5). A decision's events
go out as one append per run of events on one stream, in the order they were decided.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from cqx_eventstore import AppendRequest, NewEvent
from cqx_matching.application.errors import rejection_error
from cqx_matching.application.provenance import Provenance
from cqx_matching.domain import (
    AllowancesAssigned,
    AllowancesWithdrawn,
    CommandRejected,
    Event,
    FundsDeposited,
    FundsWithdrawn,
    InstrumentListed,
    OrderRejected,
    TradingDayClosed,
    TradingDayOpened,
    TradingReinstated,
    TradingRestricted,
)
from cqx_service import Decision

Answer = Callable[[Sequence[Event]], bytes]
EXCHANGE_STREAM = "exchange"
LEDGER_COMMANDS = frozenset(
    {"DepositFunds", "WithdrawFunds", "AssignAllowances", "WithdrawAllowances"}
)
_LEDGER_EVENTS = (FundsDeposited, FundsWithdrawn, AllowancesAssigned, AllowancesWithdrawn)


class EventCodec(Protocol):
    """Events ↔ stored ``(event_type, payload)``."""

    def encode(
        self, event: Event, trading_date: str = "", provenance: Provenance = ...
    ) -> tuple[str, bytes]:
        """The stored form of ``event``; ``trading_date`` dates a trade."""

    def decode(self, event_type: str, payload: bytes) -> Event:
        """The event stored as ``(event_type, payload)``."""

    def is_own(self, event_type: str) -> bool:
        """Whether ``event_type`` is one of this service's events."""


def stream_of(event: Event) -> str:
    """The stream ``event`` belongs to."""
    instrument = getattr(event, "instrument", None)
    if isinstance(event, _LEDGER_EVENTS):
        return f"risk-{event.account}"
    if isinstance(event, CommandRejected):
        if event.command in LEDGER_COMMANDS or not instrument:
            return f"risk-{event.account}" if event.account else EXCHANGE_STREAM
        return f"book-{instrument}"
    if isinstance(event, TradingDayOpened | TradingDayClosed):
        return EXCHANGE_STREAM
    if isinstance(event, InstrumentListed):
        return f"book-{event.config.instrument}"
    if isinstance(event, TradingRestricted | TradingReinstated):
        return f"participant-{event.participant_id}"
    return f"book-{instrument}"


def append_requests(
    events: Sequence[Event],
    encode: Callable[[Event], tuple[str, bytes]],
    new_id: Callable[[], str],
    metadata: Mapping[str, str],
) -> list[AppendRequest]:
    """One append per run of events on the same stream, in the order they were decided."""
    requests: list[AppendRequest] = []
    run: list[NewEvent] = []
    stream = ""
    for event in events:
        this = stream_of(event)
        if run and this != stream:
            requests.append(AppendRequest(stream, None, run, metadata))
            run = []
        stream = this
        event_type, payload = encode(event)
        run.append(NewEvent(new_id(), event_type, payload))
    if run:
        requests.append(AppendRequest(stream, None, run, metadata))
    return requests


def decision_for(
    events: Sequence[Event], requests: list[AppendRequest], answer: Answer
) -> Decision:
    """The response, or the recorded rejection raised as the client's error."""
    for event in events:
        if isinstance(event, OrderRejected):
            subject = {"order_id": event.order_id, "instrument": event.instrument}
            return Decision(requests, error=rejection_error(event.reason, subject))
        if isinstance(event, CommandRejected):
            subject = {"subject": event.subject, "instrument": event.instrument or ""}
            return Decision(requests, error=rejection_error(event.reason, subject))
    return Decision(requests, answer(events))
