"""Hypothesis strategies for any request message, built from its descriptor.

Each field draws from a mix: plausible values (the seeded accounts, instrument, year; a price
and a quantity that a rule would accept), boundary integers (each bound of docs/api-bounds.md
and one past it, the int32/int64/uint64 extremes), undefined enum numbers, strings around
each maximum length and odd strings (control characters, right-to-left marks, emoji), and
anything else of the field's type.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

from cqx_grpc.bounds import (
    EARLIEST_TIME_US,
    LATEST_TIME_US,
    MAX_ID_LENGTH,
    MAX_MONEY_FEN,
    MAX_PRICE_FEN,
    MAX_QUANTITY_TONNES,
    MAX_TEXT_LENGTH,
)
from cqx_identity import Role, TlsFiles
from cqx_service.policy import Rule
from tests.edge.world import (
    ACCOUNTS,
    ENTITY,
    INSTRUMENT,
    MONDAY,
    MONDAY_MORNING_US,
    STRANGER,
    YEAR,
)
from tests.support import pki

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
UINT64 = (0, 2**64 - 1)

_PLAUSIBLE_TEXT: dict[str, tuple[str, ...]] = {
    "account_id": ACCOUNTS,
    "from_account_id": ACCOUNTS,
    "to_account_id": ACCOUNTS,
    "counterparty_account_id": ACCOUNTS,
    "eligible_account_ids": ACCOUNTS,
    "participant_id": ACCOUNTS,  # each seeded account's participant has its id
    "entity_id": (ENTITY,),
    "instrument": (INSTRUMENT, "CEA-2030", "CCER-p1-b1"),
    "trading_date": (MONDAY,),
}
_ODD_TEXT = ("", " ", "\x00", "é", "\u202eevil", "a\nb", "🙂" * 40, "%s%n", "' OR 1=1 --")
_LENGTHS = (
    MAX_ID_LENGTH - 1,
    MAX_ID_LENGTH,
    MAX_ID_LENGTH + 1,
    MAX_TEXT_LENGTH,
    MAX_TEXT_LENGTH + 1,
    10_240,
)
_BOUNDARIES_64 = (
    -(2**63), -1, 0, 1, 2**62, 2**63 - 1,
    MAX_PRICE_FEN, MAX_PRICE_FEN + 1, MAX_QUANTITY_TONNES, MAX_QUANTITY_TONNES + 1,
    MAX_MONEY_FEN, MAX_MONEY_FEN + 1, EARLIEST_TIME_US - 1, EARLIEST_TIME_US,
    LATEST_TIME_US, LATEST_TIME_US + 1,
)  # fmt: skip


def likely(
    plausible: st.SearchStrategy[Any], wild: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """Mostly ``plausible`` (five draws in six), so that a request with all its fields
    plausible but one gets past the edge often enough to reach the services' own rules."""
    return st.one_of(*[plausible] * 5, wild)


def text(field: FieldDescriptor) -> st.SearchStrategy[str]:
    """A string for ``field``: plausible, odd, around a maximum length, or anything."""
    wild = st.one_of(
        st.sampled_from(_ODD_TEXT),
        st.sampled_from(_LENGTHS).map(lambda n: "x" * n),
        st.text(max_size=16),
    )
    if field.name == "request_id":
        return likely(st.uuids().map(str), wild)
    plausible = _PLAUSIBLE_TEXT.get(field.name)
    return wild if plausible is None else likely(st.sampled_from(plausible), wild)


def integer(field: FieldDescriptor) -> st.SearchStrategy[int]:
    """An integer of the field's wire type: plausible, a boundary, or anything."""
    if field.type == FieldDescriptor.TYPE_UINT64:
        low, high = UINT64
        boundaries: tuple[int, ...] = (0, 1, 2**63 - 1, 2**63, 2**64 - 1)
    elif field.type == FieldDescriptor.TYPE_INT32:
        low, high = INT32
        boundaries = (low, -1, 0, 1, 9_999, 10_000, high)
    else:
        low, high = INT64
        boundaries = _BOUNDARIES_64
    wild = st.one_of(st.sampled_from(boundaries), st.integers(low, high))
    return likely(st.sampled_from(_plausible_integers(field.name)), wild)


def _plausible_integers(name: str) -> tuple[int, ...]:
    if name.endswith("_us"):
        return (MONDAY_MORNING_US, MONDAY_MORNING_US + 30 * 60 * 1_000_000)
    if name.endswith("year"):
        return (YEAR, 2024)
    if name.endswith("_fen"):
        return (6_000, 100_000)
    if name.endswith("_tonnes"):
        return (10, 100_000)
    return (0, 1, 5)


def enum_number(field: FieldDescriptor) -> st.SearchStrategy[int]:
    """A defined value of the field's enum, or a number it does not define."""
    assert field.enum_type is not None
    defined = sorted(field.enum_type.values_by_number)
    wild = st.sampled_from((0, -1, 99, INT32[0], INT32[1]))
    return likely(st.sampled_from(defined[1:] or defined), wild)


def scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    """A value of one scalar field."""
    if field.type == FieldDescriptor.TYPE_STRING:
        return text(field)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64)
    if field.type == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if field.type == FieldDescriptor.TYPE_ENUM:
        return enum_number(field)
    return integer(field)


@st.composite
def message(draw: st.DrawFn, message_class: type[Message]) -> Message:
    """A message of ``message_class``, each field set or left at its default."""
    built = message_class()
    for field in message_class.DESCRIPTOR.fields:
        if field.message_type is not None:
            continue  # the CQX requests hold scalars only (tests/edge/test_bounds.py)
        if field.is_repeated:
            too_many = [_PLAUSIBLE_TEXT.get(field.name, ("a",))[0]] * 1_001
            values = draw(likely(st.lists(scalar(field), max_size=3), st.just(too_many)))
            getattr(built, field.name).extend(values)
        elif field.has_presence and draw(st.booleans()):
            continue  # an optional field left unset
        else:
            setattr(built, field.name, draw(scalar(field)))
    return built


# Everyone who may call: both local operators, the auditor, the members of the seeded
# accounts' participants, and a member whose participant owns nothing here.
PRINCIPALS = (pki.OPERATOR, pki.OPERATOR_2, pki.AUDITOR, *ACCOUNTS, STRANGER)


def files_of(name: str) -> TlsFiles:
    """The credential of one of :data:`PRINCIPALS`."""
    if name in (pki.OPERATOR, pki.OPERATOR_2):
        return pki.credentials(name, Role.OPERATOR)
    if name == pki.AUDITOR:
        return pki.auditor()
    return pki.member(name)


def caller(rule: Rule, request: Message | None) -> st.SearchStrategy[str]:
    """Who sends ``request`` (None: bytes that are no request): mostly the principal whose
    work it is by the policy's ``rule`` — the operator for the operator's work; for a
    member's action the member of the seeded account the request names, else of either —
    and one draw in six any principal at all."""
    if Role.MEMBER not in rule.roles:
        proper: st.SearchStrategy[str] = st.just(pki.OPERATOR)
    else:
        named = {
            str(getattr(request, owned.field, ""))
            for owned in rule.owned
            if owned.kind == "account" and request is not None
        }
        proper = st.sampled_from([a for a in ACCOUNTS if a in named] or ACCOUNTS)
    return likely(proper, st.sampled_from(PRINCIPALS))
