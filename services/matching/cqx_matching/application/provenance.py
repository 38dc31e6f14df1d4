"""Where a ledger event came from: what the published contract says beyond the engine's event."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Provenance:
    """What the published contract says about a ledger event beyond the engine's event: the
    foreign event that caused it, and the move or withdrawal it answers."""

    source_event_id: str = ""
    move_id: str = ""
    withdrawal_id: str = ""
    quantity: int = 0  # tonnes of a move, or fen of a cash withdrawal, that was refused


NO_PROVENANCE = Provenance()
