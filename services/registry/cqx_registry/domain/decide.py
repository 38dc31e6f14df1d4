"""``decide``: check a command against the registry's state and say what happens.

Client commands that break a rule raise (nothing is recorded), except a transfer, which is
recorded as proposed and terminated and then refused (propose → check → complete or terminate,
the UNFCCC pattern). Commands driven by other contexts' events never raise: what cannot be
applied is recorded as a rejection, so nothing is lost silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cqx_registry.domain import commands as cmd
from cqx_registry.domain import events as ev
from cqx_registry.domain.checks import (
    check_account_id,
    check_movement,
    check_name,
    check_participant_id,
    check_quantity,
    insufficient,
    known_account,
    known_participant,
    require,
)
from cqx_registry.domain.errors import RegistryError, duplicate, invalid, unknown, violation
from cqx_registry.domain.instruments import cea_vintage
from cqx_registry.domain.membership import (
    check_may_open,
    check_may_trade,
    register_participant,
    reinstate_participant,
    require_unrestricted,
    restrict_participant,
)
from cqx_registry.domain.reactions import approve, deliver, issue, refuse
from cqx_registry.domain.state import Registry

FIRST_COMPLIANCE_YEAR = 2019
LAST_COMPLIANCE_YEAR = 2099


@dataclass(frozen=True, slots=True)
class Decided:
    """The events a command causes, and the refusal to answer with after recording them."""

    events: tuple[ev.Event, ...]
    refusal: RegistryError | None = None


def decide(state: Registry, command: cmd.Command) -> Decided:
    """What ``command`` causes in ``state``; raises a RegistryError if it is refused outright."""
    if isinstance(command, cmd.TransferAllowances):
        return transfer(state, command)
    reaction = _REACTIONS.get(type(command))
    if reaction is not None:
        return Decided(reaction(state, command))
    decision = _DECISIONS.get(type(command))
    if decision is None:
        raise TypeError(f"not a registry command: {command!r}")
    return Decided((decision(state, command),))


def open_account(state: Registry, c: cmd.OpenAccount) -> ev.AccountOpened:
    """Open an account of a registered participant: a well-formed new id, a kind the
    participant may hold (R-A1, R-A2) and a name."""
    check_account_id(c.account_id)
    if c.kind is None:
        raise invalid("an account needs a kind", "ACCOUNT_KIND_MISSING")
    name = check_name(c.name, "ACCOUNT_NAME_INVALID")
    owner = known_participant(state, check_participant_id(c.participant_id))
    if c.account_id in state.accounts:
        raise duplicate(
            f"account {c.account_id!r} exists already",
            "ACCOUNT_ALREADY_EXISTS",
            account_id=c.account_id,
        )
    check_may_open(owner, c.kind)
    return ev.AccountOpened(c.account_id, c.kind, name, c.participant_id)


def move_to_trading(state: Registry, c: cmd.MoveToTrading) -> ev.MovedToTrading:
    """Registry position → trading position (never for a staff body's account, R-A2)."""
    check_movement(c.account_id, c.instrument, c.quantity)
    known_account(state, c.account_id)
    check_may_trade(state, c.account_id)
    held = state.holding(c.account_id, c.instrument)
    require("registry", held.registry, c.quantity, c.account_id, c.instrument)
    return ev.MovedToTrading(c.move_id, c.account_id, c.instrument, c.quantity)


def move_from_trading(state: Registry, c: cmd.MoveFromTrading) -> ev.MoveFromTradingRequested:
    """Ask the exchange to release trading quantity; it is pending until it answers."""
    check_movement(c.account_id, c.instrument, c.quantity)
    known_account(state, c.account_id)
    check_may_trade(state, c.account_id)
    held = state.holding(c.account_id, c.instrument)
    require("trading", held.trading_free, c.quantity, c.account_id, c.instrument)
    return ev.MoveFromTradingRequested(c.move_id, c.account_id, c.instrument, c.quantity)


def transfer(state: Registry, c: cmd.TransferAllowances) -> Decided:
    """Propose, check, and complete or terminate a transfer between registry positions; a
    restricted participant's account neither sends nor receives (R-A5: refused, unrecorded)."""
    check_account_id(c.from_account_id, "from_account_id")
    check_account_id(c.to_account_id, "to_account_id")
    check_movement(c.from_account_id, c.instrument, c.quantity)
    if c.from_account_id == c.to_account_id:
        raise invalid("a transfer needs two different accounts", "SAME_ACCOUNT")
    known_account(state, c.from_account_id)
    known_account(state, c.to_account_id)
    require_unrestricted(state.owner_of(c.from_account_id))
    require_unrestricted(state.owner_of(c.to_account_id))
    parts = (c.transfer_id, c.from_account_id, c.to_account_id, c.instrument, c.quantity)
    proposed = ev.TransferProposed(*parts)
    held = state.holding(c.from_account_id, c.instrument)
    short = insufficient("registry", held.registry, c.quantity, c.from_account_id, c.instrument)
    if short is not None:
        return Decided((proposed, ev.TransferTerminated(*parts, short.reason)), short)
    return Decided((proposed, ev.TransferCompleted(*parts)))


def surrender(state: Registry, c: cmd.Surrender) -> ev.AllowancesSurrendered:
    """Surrender from the registry position; a CEA vintage must not follow the year (R-C3)."""
    check_movement(c.account_id, c.instrument, c.quantity)
    if not FIRST_COMPLIANCE_YEAR <= c.compliance_year <= LAST_COMPLIANCE_YEAR:
        raise invalid(
            f"compliance year must be {FIRST_COMPLIANCE_YEAR}-{LAST_COMPLIANCE_YEAR}",
            "COMPLIANCE_YEAR_INVALID",
            compliance_year=str(c.compliance_year),
        )
    known_account(state, c.account_id)
    vintage = cea_vintage(c.instrument)
    if vintage is not None and vintage > c.compliance_year:
        raise violation(
            f"{c.instrument} cannot be surrendered for {c.compliance_year}",
            "VINTAGE_AFTER_COMPLIANCE_YEAR",
            {"instrument": c.instrument, "compliance_year": str(c.compliance_year)},
        )
    held = state.holding(c.account_id, c.instrument)
    require("registry", held.registry, c.quantity, c.account_id, c.instrument)
    return ev.AllowancesSurrendered(
        c.surrender_id, c.account_id, c.instrument, c.quantity, c.compliance_year
    )


def cancel(state: Registry, c: cmd.CancelAllowances) -> ev.AllowancesCancelled:
    """Cancel from the registry position, forever (R-C8)."""
    check_movement(c.account_id, c.instrument, c.quantity)
    known_account(state, c.account_id)
    held = state.holding(c.account_id, c.instrument)
    require("registry", held.registry, c.quantity, c.account_id, c.instrument)
    return ev.AllowancesCancelled(c.cancellation_id, c.account_id, c.instrument, c.quantity)


def freeze(state: Registry, c: cmd.Freeze) -> ev.HoldingFrozen:
    """Registry position → frozen (R-A4)."""
    check_movement(c.account_id, c.instrument, c.quantity)
    known_account(state, c.account_id)
    held = state.holding(c.account_id, c.instrument)
    require("registry", held.registry, c.quantity, c.account_id, c.instrument)
    return ev.HoldingFrozen(c.freeze_id, c.account_id, c.instrument, c.quantity, c.reason)


def unfreeze(state: Registry, c: cmd.Unfreeze) -> ev.HoldingUnfrozen:
    """Frozen → registry position, from what one freeze still holds."""
    if not c.freeze_id:
        raise invalid("freeze_id is required", "FREEZE_ID_MISSING")
    check_quantity(c.quantity)
    record = state.freezes.get(c.freeze_id)
    if record is None:
        raise unknown(f"no freeze {c.freeze_id!r}", "FREEZE_NOT_FOUND", freeze_id=c.freeze_id)
    require("frozen", record.remaining, c.quantity, record.account_id, record.instrument)
    return ev.HoldingUnfrozen(c.freeze_id, record.account_id, record.instrument, c.quantity)


# Commands that cause exactly one event or are refused outright.
_DECISIONS: dict[type[Any], Callable[[Registry, Any], ev.Event]] = {
    cmd.RegisterParticipant: register_participant,
    cmd.RestrictParticipant: restrict_participant,
    cmd.ReinstateParticipant: reinstate_participant,
    cmd.OpenAccount: open_account,
    cmd.MoveToTrading: move_to_trading,
    cmd.MoveFromTrading: move_from_trading,
    cmd.Surrender: surrender,
    cmd.CancelAllowances: cancel,
    cmd.Freeze: freeze,
    cmd.Unfreeze: unfreeze,
}
# Other contexts' events: never refused, what cannot be applied is recorded as a rejection.
_REACTIONS: dict[type[Any], Callable[[Registry, Any], tuple[ev.Event, ...]]] = {
    cmd.IssueAllowances: issue,
    cmd.ApproveWithdrawal: approve,
    cmd.RefuseWithdrawal: refuse,
    cmd.DeliverTrade: deliver,
}
