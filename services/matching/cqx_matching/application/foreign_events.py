"""What the registry's and settlement's events ask of the risk ledger, decided like commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_matching.application.provenance import Provenance
from cqx_matching.domain import Command


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
