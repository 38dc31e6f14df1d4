"""A participant's restriction (R-A5): the commands the registry's events become, and the
events the exchange records for them.

The registry restricts a participant and names all its accounts; the exchange records that
those accounts may not trade (``TradingRestricted``), then cancels their resting orders and
withdraws their block negotiations (ordinary ``OrderCancelled`` and ``BlockTradeWithdrawn``
events after it), until the registry reinstates the participant (``TradingReinstated``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RestrictTrading:
    """The registry restricted a participant: ``accounts`` (all its accounts) stop trading;
    their resting orders are cancelled."""

    participant_id: str
    accounts: frozenset[str]
    reason: str
    at: int


@dataclass(frozen=True, slots=True)
class ReinstateTrading:
    """The registry reinstated a participant: ``accounts`` trade again."""

    participant_id: str
    accounts: frozenset[str]
    at: int


@dataclass(frozen=True, slots=True)
class TradingRestricted:
    """``accounts`` (all of one participant's) may not trade until reinstated."""

    participant_id: str
    accounts: frozenset[str]
    reason: str
    at: int


@dataclass(frozen=True, slots=True)
class TradingReinstated:
    """The participant's accounts trade again."""

    participant_id: str
    accounts: frozenset[str]
    at: int
