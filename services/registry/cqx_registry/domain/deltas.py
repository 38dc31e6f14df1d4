"""How each event changes holdings, as signed deltas per (account, instrument).

The in-memory fold (``evolve``) and the PostgreSQL holdings projection both apply these, so
they cannot disagree about what an event does to a holding.
"""

from __future__ import annotations

from dataclasses import dataclass

from cqx_registry.domain import events as ev
from cqx_registry.domain.events import DeliveryLeg, Event


@dataclass(frozen=True, slots=True)
class HoldingDelta:
    """A signed change to the parts of one holding (tonnes)."""

    account_id: str
    instrument: str
    registry: int = 0
    trading: int = 0
    frozen: int = 0
    pending_out: int = 0


def holding_deltas(event: Event) -> tuple[HoldingDelta, ...]:
    """What ``event`` does to holdings (nothing for events that only record a refusal)."""
    match event:
        case ev.AllowancesIssued(account_id=a, instrument=i, quantity=q):
            return (HoldingDelta(a, i, registry=q),)
        case ev.MovedToTrading(account_id=a, instrument=i, quantity=q):
            return (HoldingDelta(a, i, registry=-q, trading=q),)
        case ev.MoveFromTradingRequested(account_id=a, instrument=i, quantity=q):
            return (HoldingDelta(a, i, pending_out=q),)
        case ev.MovedFromTrading(account_id=a, instrument=i, quantity=q):
            return (HoldingDelta(a, i, registry=q, trading=-q, pending_out=-q),)
        case ev.MoveFromTradingRefused(account_id=a, instrument=i, quantity=q):
            return (HoldingDelta(a, i, pending_out=-q),)
        case ev.TransferCompleted(from_account_id=f, to_account_id=t, instrument=i, quantity=q):
            return (HoldingDelta(f, i, registry=-q), HoldingDelta(t, i, registry=q))
        case (
            ev.AllowancesSurrendered(account_id=a, instrument=i, quantity=q)
            | ev.AllowancesCancelled(account_id=a, instrument=i, quantity=q)
        ):
            return (HoldingDelta(a, i, registry=-q),)
        case ev.HoldingFrozen(account_id=a, instrument=i, quantity=q):
            return (HoldingDelta(a, i, registry=-q, frozen=q),)
        case ev.HoldingUnfrozen(account_id=a, instrument=i, quantity=q):
            return (HoldingDelta(a, i, registry=q, frozen=-q),)
        case ev.TradeDeliveryApplied():
            return _delivery_deltas(event)
    return ()


def _delivery_deltas(event: ev.TradeDeliveryApplied) -> tuple[HoldingDelta, ...]:
    seller = HoldingDelta(event.seller_account_id, event.instrument, trading=-event.quantity)
    buyer = HoldingDelta(event.buyer_account_id, event.instrument, trading=event.quantity)
    if event.leg is DeliveryLeg.SELLER:
        return (seller,)
    if event.leg is DeliveryLeg.BUYER:
        return (buyer,)
    return (seller, buyer)
