"""The checks commands share: well-formed ids and quantities, known accounts, enough holdings."""

from __future__ import annotations

import re

from cqx_registry.domain.errors import RuleViolationError, invalid, unknown, violation
from cqx_registry.domain.instruments import check_instrument
from cqx_registry.domain.state import Account, Participant, Registry

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_NAME_LENGTH = 200


def check_account_id(account_id: str, field: str = "account_id") -> str:
    """``account_id`` if well formed (1-64 of [A-Za-z0-9_-]), else ``ACCOUNT_ID_INVALID``."""
    return _well_formed(account_id, field, "ACCOUNT_ID_INVALID")


def check_participant_id(participant_id: str) -> str:
    """``participant_id`` if well formed (as an account id), else ``PARTICIPANT_ID_INVALID``."""
    return _well_formed(participant_id, "participant_id", "PARTICIPANT_ID_INVALID")


def _well_formed(value: str, field: str, reason: str) -> str:
    if not _ID.fullmatch(value):
        raise invalid(
            f"{field} must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-': {value!r}",
            reason,
            field=field,
        )
    return value


def check_name(name: str, reason: str) -> str:
    """``name`` without surrounding blanks, if 1-200 characters remain; else ``reason``."""
    stripped = name.strip()
    if not stripped or len(stripped) > MAX_NAME_LENGTH:
        raise invalid(f"a name must be 1-{MAX_NAME_LENGTH} characters", reason)
    return stripped


def check_quantity(quantity: int) -> int:
    """``quantity`` if it is a positive whole number of tonnes (R-U1)."""
    if quantity <= 0:
        raise invalid(
            f"quantity must be a positive number of tonnes, not {quantity}",
            "QUANTITY_NOT_POSITIVE",
            quantity_tonnes=str(quantity),
        )
    return quantity


def check_movement(account_id: str, instrument: str, quantity: int) -> None:
    """The shape every movement of allowances must have."""
    check_account_id(account_id)
    check_instrument(instrument)
    check_quantity(quantity)


def known_account(state: Registry, account_id: str) -> Account:
    """The account, or NOT_FOUND ``ACCOUNT_NOT_FOUND``."""
    account = state.accounts.get(account_id)
    if account is None:
        raise unknown(f"no account {account_id!r}", "ACCOUNT_NOT_FOUND", account_id=account_id)
    return account


def known_participant(state: Registry, participant_id: str) -> Participant:
    """The participant, or NOT_FOUND ``PARTICIPANT_NOT_FOUND``."""
    participant = state.participants.get(participant_id)
    if participant is None:
        raise unknown(
            f"no participant {participant_id!r}: register it first",
            "PARTICIPANT_NOT_FOUND",
            participant_id=participant_id,
        )
    return participant


def insufficient(
    part: str, available: int, quantity: int, account_id: str, instrument: str
) -> RuleViolationError | None:
    """FAILED_PRECONDITION ``INSUFFICIENT_<PART>_POSITION`` if ``available`` is short, else None."""
    if available >= quantity:
        return None
    return violation(
        f"{account_id} has {available} t of {instrument} free in its {part} position,"
        f" {quantity} t asked",
        f"INSUFFICIENT_{part.upper()}_POSITION",
        {
            "account_id": account_id,
            "instrument": instrument,
            "available_tonnes": str(available),
            "quantity_tonnes": str(quantity),
        },
    )


def require(part: str, available: int, quantity: int, account_id: str, instrument: str) -> None:
    """Raise what :func:`insufficient` finds, if anything."""
    error = insufficient(part, available, quantity, account_id, instrument)
    if error is not None:
        raise error
