"""Which participant owns an account, in a service other than the registry.

The registry is the record of who owns what (its ``AccountOpened`` names the participant). Each
other service records what it learns from those events in its own log, as
``cqx.eventing.v1.AccountOwnerRecorded`` on the stream ``directory-<account>``, and folds them
into an :class:`AccountDirectory` at start with the rest of its state, so that the policy
(:mod:`cqx_service.policy`) can tell a member's own accounts from another's without asking
anyone. An account's owner never changes.
"""

from __future__ import annotations

from collections.abc import Callable

from cqx.eventing.v1.directory_pb2 import AccountOwnerRecorded
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.registry.v1.events_pb2 import (
    ACCOUNT_KIND_COVERED_ENTITY,
    ACCOUNT_KIND_INSTITUTION,
    AccountOpened,
)

from cqx_bus.errors import UnusableMessageError
from cqx_eventstore import AppendRequest, NewEvent
from cqx_service.foreign import reaction_metadata

# Only members' trading accounts have an owner outside the registry: a staff body's account
# (issuance, exchange fees, cancellation) is no member's to act on here, whatever credential
# someone holds for its participant (R-A2).
TRADING_KINDS = frozenset({ACCOUNT_KIND_COVERED_ENTITY, ACCOUNT_KIND_INSTITUTION})
ACCOUNT_OPENED = AccountOpened.DESCRIPTOR.full_name
OWNER_RECORDED = AccountOwnerRecorded.DESCRIPTOR.full_name
REGISTRY = "registry"


class AccountDirectory:
    """Account → participant, as recorded in this service's log."""

    def __init__(self) -> None:
        self._owners: dict[str, str] = {}

    def owner_of(self, account_id: str) -> str | None:
        """The participant that owns ``account_id`` (None: not known here)."""
        return self._owners.get(account_id)

    def fold(self, event_type: str, payload: bytes) -> bool:
        """Apply a recorded event if it is the directory's; whether it was."""
        if event_type != OWNER_RECORDED:
            return False
        recorded = AccountOwnerRecorded.FromString(payload)
        self._owners[recorded.account_id] = recorded.participant_id
        return True

    def reaction(self, envelope: EventEnvelope, new_id: Callable[[], str]) -> AppendRequest | None:
        """What the registry's ``AccountOpened`` asks this service to record (applied here
        at once); None for any other event, or an account opened for no participant."""
        if envelope.source != REGISTRY or envelope.event_type != ACCOUNT_OPENED:
            return None
        try:
            opened = AccountOpened.FromString(envelope.payload)
        except Exception as error:
            raise UnusableMessageError(
                f"{ACCOUNT_OPENED} {envelope.event_id} does not decode: {error}"
            ) from error
        if opened.kind not in TRADING_KINDS:  # staff bodies' accounts: nobody's here (R-A2)
            return None
        if not opened.participant_id or opened.account_id in self._owners:
            return None
        recorded = AccountOwnerRecorded(
            account_id=opened.account_id, participant_id=opened.participant_id
        )
        payload = recorded.SerializeToString(deterministic=True)
        self.fold(OWNER_RECORDED, payload)
        return AppendRequest(
            f"directory-{opened.account_id}",
            None,
            [NewEvent(new_id(), OWNER_RECORDED, payload)],
            reaction_metadata(envelope),
        )

    @staticmethod
    def wanted(source: str) -> frozenset[str]:
        """The event types the directory needs from ``source``'s topic."""
        return frozenset({ACCOUNT_OPENED}) if source == REGISTRY else frozenset()
