"""Conservation, per instrument: issued = Σ registry + Σ trading + Σ frozen + surrendered +
cancelled. Computed from the holdings themselves, not from running sums, so that it checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from cqx_registry.domain.state import Registry


@dataclass(frozen=True, slots=True)
class Conservation:
    """The parts of one instrument's supply, in tonnes."""

    instrument: str
    issued: int = 0
    registry: int = 0
    trading: int = 0
    frozen: int = 0
    surrendered: int = 0
    cancelled: int = 0

    @property
    def holds(self) -> bool:
        """Whether everything issued is accounted for."""
        accounted = self.registry + self.trading + self.frozen + self.surrendered
        return self.issued == accounted + self.cancelled


def conservation(state: Registry, instrument: str) -> Conservation:
    """The parts of ``instrument``'s supply (all zero if it was never issued)."""
    registry = trading = frozen = 0
    for held in state.holdings.values():
        holding = held.get(instrument)
        if holding is not None:
            registry += holding.registry
            trading += holding.trading
            frozen += holding.frozen
    totals = state.totals.get(instrument)
    issued, surrendered, cancelled = (
        (totals.issued, totals.surrendered, totals.cancelled) if totals else (0, 0, 0)
    )
    return Conservation(instrument, issued, registry, trading, frozen, surrendered, cancelled)


def instruments_known(state: Registry) -> list[str]:
    """Every instrument issued or held, in code order."""
    held = {instrument for by_instrument in state.holdings.values() for instrument in by_instrument}
    return sorted(held | set(state.totals))


def conservation_of_all(state: Registry) -> list[Conservation]:
    """Conservation of every instrument known, in code order."""
    return [conservation(state, instrument) for instrument in instruments_known(state)]
