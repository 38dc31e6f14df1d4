"""Events of the instruments' own days: an instrument listed at run time, and opened for a day
with the operator's reference price.

The engine can be built with a fixed set of instruments and one exchange-wide trading day
(the golden day); the service lists an instrument the first time it is named and opens and
closes each instrument's day on the operator's word. These events make that replayable:
``Exchange.replay`` rebuilds the instruments from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cqx_matching.domain.instruments import InstrumentConfig


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
