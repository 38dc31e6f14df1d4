"""Participants and the rules on who holds which account and who may trade (R-A1, R-A2, R-A5).

Each account belongs to one participant. Which account kinds a participant may open follows
from its kind (:data:`ACCOUNT_KINDS_OF`): a key emission unit trades through a covered-entity
account, an institution through an institution account, one each (R-A1); the staff bodies
hold only the accounts of their office and never a trading account, and their accounts never
move into or out of trading (R-A2). A restricted participant can neither transfer nor trade,
and opens no account until reinstated (R-A5); its holdings are untouched. Decision 0013.
"""

from __future__ import annotations

from collections.abc import Mapping

from cqx_registry.domain import commands as cmd
from cqx_registry.domain import events as ev
from cqx_registry.domain.checks import (
    check_name,
    check_participant_id,
    known_participant,
)
from cqx_registry.domain.commands import AccountKind, ParticipantKind
from cqx_registry.domain.errors import duplicate, invalid, violation
from cqx_registry.domain.state import TRADING_ACCOUNT_KINDS, Participant, Registry

MAX_REASON_LENGTH = 1024
STAFF_KINDS = frozenset(
    {
        ParticipantKind.REGULATOR,
        ParticipantKind.REGISTRY,
        ParticipantKind.EXCHANGE,
        ParticipantKind.VERIFIER,
    }
)
ACCOUNT_KINDS_OF: Mapping[ParticipantKind, frozenset[AccountKind]] = {
    ParticipantKind.KEY_EMISSION_UNIT: frozenset({AccountKind.COVERED_ENTITY}),
    ParticipantKind.INSTITUTION: frozenset({AccountKind.INSTITUTION}),
    # The competent authority and the registry issue allowances and receive cancelled ones.
    ParticipantKind.REGULATOR: frozenset({AccountKind.ISSUANCE, AccountKind.CANCELLATION}),
    ParticipantKind.REGISTRY: frozenset({AccountKind.ISSUANCE, AccountKind.CANCELLATION}),
    # The exchange's fee account: it receives fees through settlement, never places orders.
    ParticipantKind.EXCHANGE: frozenset({AccountKind.EXCHANGE}),
    ParticipantKind.VERIFIER: frozenset(),  # a verifier checks reports; it holds nothing
}


def register_participant(state: Registry, c: cmd.RegisterParticipant) -> ev.ParticipantRegistered:
    """Register a participant: a well-formed new id, a kind and a name."""
    check_participant_id(c.participant_id)
    if c.kind is None:
        raise invalid("a participant needs a kind", "PARTICIPANT_KIND_MISSING")
    name = check_name(c.name, "PARTICIPANT_NAME_INVALID")
    if c.participant_id in state.participants:
        raise duplicate(
            f"participant {c.participant_id!r} exists already",
            "PARTICIPANT_ALREADY_EXISTS",
            participant_id=c.participant_id,
        )
    return ev.ParticipantRegistered(c.participant_id, c.kind, name)


def restrict_participant(state: Registry, c: cmd.RestrictParticipant) -> ev.ParticipantRestricted:
    """Restrict an active participant, for a reason (R-A5)."""
    check_participant_id(c.participant_id)
    reason = c.reason.strip()
    if not reason or len(reason) > MAX_REASON_LENGTH:
        raise invalid(
            f"a restriction needs a reason of 1-{MAX_REASON_LENGTH} characters",
            "RESTRICTION_REASON_INVALID",
        )
    participant = known_participant(state, c.participant_id)
    if participant.restricted:
        raise violation(
            f"participant {c.participant_id} is restricted already",
            "PARTICIPANT_ALREADY_RESTRICTED",
            {"participant_id": c.participant_id},
        )
    return ev.ParticipantRestricted(c.participant_id, participant.account_ids, reason)


def reinstate_participant(state: Registry, c: cmd.ReinstateParticipant) -> ev.ParticipantReinstated:
    """Lift a participant's restriction."""
    check_participant_id(c.participant_id)
    participant = known_participant(state, c.participant_id)
    if not participant.restricted:
        raise violation(
            f"participant {c.participant_id} is not restricted",
            "PARTICIPANT_NOT_RESTRICTED",
            {"participant_id": c.participant_id},
        )
    return ev.ParticipantReinstated(c.participant_id, participant.account_ids)


def check_may_open(participant: Participant, kind: AccountKind) -> None:
    """Whether ``participant`` may open an account of ``kind`` now (R-A5, R-A2, R-A1)."""
    require_unrestricted(participant)
    allowed = ACCOUNT_KINDS_OF[participant.kind]
    if kind not in allowed:
        staff = participant.kind in STAFF_KINDS and kind in TRADING_ACCOUNT_KINDS
        names = ", ".join(sorted(k.value for k in allowed)) or "none"
        raise violation(
            f"a {participant.kind.value} participant may open {names} accounts, not {kind.value}"
            + (": staff bodies may not trade (R-A2)" if staff else ""),
            "STAFF_MAY_NOT_TRADE" if staff else "ACCOUNT_KIND_NOT_ALLOWED",
            {
                "participant_id": participant.participant_id,
                "participant_kind": participant.kind.value,
                "account_kind": kind.value,
                "allowed_account_kinds": names,
            },
        )
    if kind in TRADING_ACCOUNT_KINDS and participant.trading_account_id:
        existing = participant.trading_account_id
        raise violation(
            f"participant {participant.participant_id} has its one trading account already: "
            f"{existing} (R-A1)",
            "TRADING_ACCOUNT_EXISTS",
            {"participant_id": participant.participant_id, "trading_account_id": existing},
        )


def require_unrestricted(participant: Participant | None) -> None:
    """FAILED_PRECONDITION ``PARTICIPANT_RESTRICTED`` if ``participant`` is restricted (R-A5)."""
    if participant is not None and participant.restriction is not None:
        raise violation(
            f"participant {participant.participant_id} is restricted: {participant.restriction}",
            "PARTICIPANT_RESTRICTED",
            {
                "participant_id": participant.participant_id,
                "restriction_reason": participant.restriction,
            },
        )


def check_may_trade(state: Registry, account_id: str) -> None:
    """An account of a staff body never moves into or out of trading (R-A2)."""
    owner = state.owner_of(account_id)
    if owner is not None and owner.kind in STAFF_KINDS:
        raise violation(
            f"{account_id} belongs to {owner.participant_id}, a {owner.kind.value} staff body: "
            "staff bodies may not trade (R-A2)",
            "STAFF_MAY_NOT_TRADE",
            {
                "account_id": account_id,
                "participant_id": owner.participant_id,
                "participant_kind": owner.kind.value,
            },
        )
