"""What the service records beside the engine's events: instruments listed at run time and
opened for a day with the operator's reference price, and where a ledger event came from.

The engine is built with a fixed set of instruments and one exchange-wide trading day; the
service lists an instrument the first time it is named and opens and closes each instrument's
day on the operator's word. These events make that replayable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cqx_matching.domain import Event, InstrumentConfig


@dataclass(frozen=True, slots=True)
class InstrumentListed:
    """An instrument became tradable, with the configuration it trades under."""

    config: InstrumentConfig
    at: int


@dataclass(frozen=True, slots=True)
class InstrumentDayOpened:
    """The operator opened ``instrument`` for ``day`` around ``previous_close`` (R-T2)."""

    instrument: str
    day: date
    previous_close: int
    at: int


AppEvent = InstrumentListed | InstrumentDayOpened
Recorded = Event | AppEvent


@dataclass(frozen=True, slots=True)
class Provenance:
    """What the published contract says about a ledger event beyond the engine's event: the
    foreign event that caused it, and the move or withdrawal it answers."""

    source_event_id: str = ""
    move_id: str = ""
    withdrawal_id: str = ""
    quantity: int = 0  # tonnes of a move, or fen of a cash withdrawal, that was refused


NO_PROVENANCE = Provenance()
