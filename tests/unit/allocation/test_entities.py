"""Registering covered entities and linking them to their registry accounts."""

from __future__ import annotations

import pytest

from cqx_allocation.domain.commands import RegisterEntity
from cqx_allocation.domain.errors import (
    AccountAlreadyLinkedError,
    EntityAlreadyExistsError,
    InvalidAllocationRequestError,
)
from cqx_allocation.domain.events import EntityRegistered
from cqx_kernel.errors import AlreadyExistsError, InvalidArgumentError
from tests.unit.allocation.given import PLANT, given, when


def _register(entity_id: str = "shanxi-002", account_id: str = "acct-002") -> RegisterEntity:
    return RegisterEntity(entity_id, account_id, "Taiyuan Heat", "power", "Shanxi")


def test_registering_an_entity_records_its_account_link() -> None:
    assert when(given(), _register()) == [
        EntityRegistered("shanxi-002", "acct-002", "Taiyuan Heat", "power", "Shanxi")
    ]


def test_an_entity_id_is_registered_once() -> None:
    with pytest.raises(EntityAlreadyExistsError) as refused:
        when(given(PLANT), _register(entity_id=PLANT.entity_id))
    assert isinstance(refused.value, AlreadyExistsError)
    assert refused.value.reason == "ENTITY_ALREADY_EXISTS"


def test_r_a1_an_account_belongs_to_one_entity() -> None:
    with pytest.raises(AccountAlreadyLinkedError) as refused:
        when(given(PLANT), _register(account_id=PLANT.account_id))
    assert refused.value.reason == "ACCOUNT_ALREADY_LINKED"
    assert refused.value.metadata["entity_id"] == PLANT.entity_id


@pytest.mark.parametrize(
    ("entity_id", "reason"),
    [
        ("", "ENTITY_ID_MISSING"),
        ("x" * 65, "ENTITY_ID_INVALID"),
        ("has space", "ENTITY_ID_INVALID"),
        ("slash/id", "ENTITY_ID_INVALID"),
        ("电厂", "ENTITY_ID_INVALID"),
    ],
)
def test_entity_ids_outside_the_alphabet_are_refused(entity_id: str, reason: str) -> None:
    with pytest.raises(InvalidAllocationRequestError) as refused:
        when(given(), _register(entity_id=entity_id))
    assert isinstance(refused.value, InvalidArgumentError)
    assert refused.value.reason == reason


def test_an_entity_id_of_64_letters_digits_dashes_and_underscores_is_accepted() -> None:
    entity_id = ("Ab9_-" * 13)[:64]
    (registered,) = when(given(), _register(entity_id=entity_id))
    assert isinstance(registered, EntityRegistered)
    assert registered.entity_id == entity_id


@pytest.mark.parametrize("field", ["account_id", "name", "sector", "province"])
def test_every_field_of_an_entity_is_required(field: str) -> None:
    values = {"entity_id": "e1", "account_id": "a1", "name": "n", "sector": "power",
              "province": "Shanxi", field: "  "}  # fmt: skip
    with pytest.raises(InvalidAllocationRequestError) as refused:
        when(given(), RegisterEntity(**values))
    assert refused.value.reason == f"{field.upper()}_MISSING"
