"""What the registry's and settlement's events ask of the risk ledger, decided like commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cqx_matching.application.provenance import Provenance
from cqx_matching.domain import Command


@dataclass(frozen=True, slots=True)
class ForeignRequest:
    """What a foreign event asks of the risk ledger: the command (given the time it is
    decided at) and the provenance its events are published with."""

    make: Callable[[int], Command]
    provenance: Provenance
