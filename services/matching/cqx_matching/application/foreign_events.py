"""What the registry's and settlement's events ask of the risk ledger, decided like commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_matching.application.listing import InstrumentListed, Provenance, Recorded
from cqx_matching.application.trading_days import apply_listing
from cqx_matching.application.validation import is_instrument
from cqx_matching.config import MatchingSettings
from cqx_matching.domain import AssignAllowances, Command, CommandRejected, Exchange


@dataclass(frozen=True, slots=True)
class ForeignRequest:
    """What a foreign event asks of the risk ledger: the command (given the time it is
    decided at) and the provenance its events are published with."""

    make: Callable[[int], Command]
    provenance: Provenance


Translate = Callable[[EventEnvelope], ForeignRequest | None]


def caused_by(envelope: EventEnvelope) -> dict[str, str]:
    """The metadata of the events a foreign event causes."""
    return {
        "causation_id": envelope.event_id,
        "correlation_id": envelope.metadata.get("correlation_id") or envelope.event_id,
        "actor": envelope.source,
    }


def listing_for_credit(
    exchange: Exchange, settings: MatchingSettings, command: Command
) -> list[Recorded]:
    """Allowances moved into trading list their instrument the first time it is seen (the
    events, applied); a code that names no instrument is a recorded rejection."""
    if not isinstance(command, AssignAllowances):
        return []
    name, account = command.instrument, command.account
    if not is_instrument(name):
        reason = "INSTRUMENT_INVALID"
        return [CommandRejected(name, "AssignAllowances", account, account, reason, command.at)]
    if name in exchange.markets:
        return []
    listed = InstrumentListed(settings.instrument_config(name), command.at)
    apply_listing(exchange, listed)
    return [listed]
