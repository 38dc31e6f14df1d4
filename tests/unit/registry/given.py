"""Given events → when command → then events, for the registry's domain."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from cqx_kernel.errors import CqxError
from cqx_registry.domain import events as ev
from cqx_registry.domain.commands import AccountKind, Command, ParticipantKind
from cqx_registry.domain.decide import Decided, decide
from cqx_registry.domain.state import Registry, evolve

CEA_2024 = "CEA-2024"


def given(*events: ev.Event) -> Registry:
    """The registry after ``events``."""
    state = Registry()
    for event in events:
        evolve(state, event)
    return state


def when(state: Registry, command: Command) -> Decided:
    """Decide ``command`` and apply what it causes (as the application does)."""
    decided = decide(state, command)
    for event in decided.events:
        evolve(state, event)
    return decided


def refused(state: Registry, command: Command) -> CqxError:
    """The error ``command`` is refused with; asserts it records nothing."""
    with pytest.raises(CqxError) as caught:
        decide(state, command)
    return caught.value


def registered(
    participant_id: str, kind: ParticipantKind = ParticipantKind.KEY_EMISSION_UNIT
) -> ev.Event:
    """A participant registered."""
    return ev.ParticipantRegistered(participant_id, kind, f"Participant {participant_id}")


def opened(*account_ids: str) -> list[ev.Event]:
    """Covered-entity accounts opened, each for a key emission unit of the same id."""
    events: list[ev.Event] = []
    for a in account_ids:
        events += [
            registered(a),
            ev.AccountOpened(a, AccountKind.COVERED_ENTITY, f"Company {a}", a),
        ]
    return events


def issued(account_id: str, quantity: int, instrument: str = CEA_2024) -> ev.Event:
    """Allowances issued into ``account_id``."""
    return ev.AllowancesIssued(
        account_id,
        instrument,
        quantity,
        f"iss-{account_id}-{quantity}",
        "00000000-0000-4000-8000-000000000000",
    )


def with_accounts(holdings: Iterable[tuple[str, int]]) -> Registry:
    """Accounts each holding a registry position of CEA-2024."""
    events: list[ev.Event] = []
    for account_id, quantity in holdings:
        events += opened(account_id)
        if quantity:
            events.append(issued(account_id, quantity))
    return given(*events)
