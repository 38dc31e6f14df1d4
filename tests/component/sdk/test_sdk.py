"""The SDK against real registry, allocation and settlement services: what a user does."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import AsyncIterator

import pytest

from cqx_bus import KafkaAccess
from cqx_sdk import (
    AccountKind,
    CqxApiError,
    CqxClient,
    ParticipantKind,
    ServiceUnavailableError,
    new_request_id,
    parse_amount,
)
from tests.component.sdk.support import (
    UNREACHABLE,
    ThreeServices,
    eventually,
    member_client,
    open_member_account,
    operator_client,
    three_services,
)
from tests.support import pki


@pytest.fixture(scope="module")
async def services(database_url: str, kafka_admin: KafkaAccess) -> AsyncIterator[ThreeServices]:
    async with three_services(database_url, kafka_admin, f"t_{secrets.token_hex(4)}") as s:
        yield s


@pytest.fixture
async def client(services: ThreeServices) -> AsyncIterator[CqxClient]:
    """The operator's client (it opens, allocates, deposits, and reads everything)."""
    async with operator_client(services.addresses) as c:
        yield c


async def test_an_issued_allocation_shows_in_the_holdings_and_moves_to_trading(
    client: CqxClient, services: ThreeServices
) -> None:
    await client.registry.register_participant(
        "datong", ParticipantKind.KEY_EMISSION_UNIT, "Datong Power"
    )
    account = await client.registry.open_account(
        "datong-1", AccountKind.COVERED_ENTITY, "Datong No. 1", "datong"
    )
    assert account.participant_id == "datong"
    await client.allocation.register_entity(
        "datong-1", "datong-1", "Datong No. 1", "power", "Shanxi"
    )
    year = await client.allocation.open_compliance_year(2024)
    assert year.instrument == "CEA-2024"
    await client.allocation.set_allocation("datong-1", 2024, 250_000)
    issued = await client.allocation.issue_allocation("datong-1", 2024)
    assert issued.quantity_tonnes == 250_000

    async def credited() -> bool:
        held = await client.registry.holdings("datong-1")
        return held.of("CEA-2024").registry_tonnes == 250_000

    await eventually(credited)
    async with member_client(services.addresses, "datong") as datong:  # its own account's
        moved = await datong.registry.move_to_trading("datong-1", "CEA-2024", 25_000)
    assert (moved.holding.registry_tonnes, moved.holding.trading_tonnes) == (225_000, 25_000)
    before = await client.registry.holdings("datong-1")
    assert before.of("CEA-2024").total_tonnes == 250_000
    assert (await client.registry.check_conservation("CEA-2024")).holds


async def test_a_retry_with_the_same_request_id_gets_the_first_answer(client: CqxClient) -> None:
    rid = new_request_id()
    first = await client.settlement.deposit("retry-1", parse_amount("1000.00"), request_id=rid)
    again = await client.settlement.deposit("retry-1", parse_amount("1000.00"), request_id=rid)
    assert again == first
    assert (await client.settlement.cash_balance("retry-1")).balance_fen == 100_000


async def test_deposits_add_up_in_the_cash_balance(client: CqxClient) -> None:
    await client.settlement.deposit("cash-1", parse_amount("5000000.00"))
    done = await client.settlement.deposit("cash-1", parse_amount("0.05"))
    assert done.balance_fen == 500_000_005
    balance = await client.settlement.cash_balance("cash-1")
    assert (balance.balance_fen, balance.available_fen) == (500_000_005, 500_000_005)


async def test_list_accounts_walks_every_page(client: CqxClient) -> None:
    opened = [f"page-{n}" for n in range(5)]
    for account_id in opened:
        await open_member_account(client, account_id, AccountKind.INSTITUTION)
    listed = [a.account_id async for a in client.registry.list_accounts(page_size=2)]
    assert [a for a in listed if a.startswith("page-")] == opened
    assert listed == sorted(listed)


async def test_entities_and_their_compliance_are_listed_page_by_page(client: CqxClient) -> None:
    entities = [f"pg-entity-{n}" for n in range(3)]
    for entity in entities:
        await open_member_account(client, entity)
        await client.allocation.register_entity(entity, entity, entity, "cement", "Shanxi")
    await client.allocation.open_compliance_year(2027)
    await client.allocation.record_verified_emissions(entities[1], 2027, 40_000)
    listed = [e.entity_id async for e in client.allocation.list_entities(page_size=2)]
    assert [e for e in listed if e.startswith("pg-entity-")] == entities
    records = [
        r
        async for r in client.allocation.list_compliance_statuses(2027, page_size=2)
        if r.entity_id.startswith("pg-entity-")
    ]
    assert [(r.entity_id, r.obligation_tonnes) for r in records] == [
        (entities[0], 0), (entities[1], 40_000), (entities[2], 0),
    ]  # fmt: skip


async def test_participants_are_registered_listed_restricted_and_reinstated(
    client: CqxClient,
) -> None:
    fund = await client.registry.register_participant(
        "sdk-fund", ParticipantKind.INSTITUTION, "SDK Fund"
    )
    assert (fund.kind, fund.restricted, fund.account_ids) == (
        ParticipantKind.INSTITUTION,
        False,
        (),
    )
    await client.registry.open_account("sdk-fund-1", AccountKind.INSTITUTION, "Fund", "sdk-fund")
    restricted = await client.registry.restrict_participant("sdk-fund", "audit 2025-3")
    assert (restricted.restricted, restricted.restriction_reason) == (True, "audit 2025-3")
    assert restricted.account_ids == ("sdk-fund-1",)
    shown = await client.registry.get_participant("sdk-fund")
    assert shown.trading_account_id == "sdk-fund-1"
    listed = [p.participant_id async for p in client.registry.list_participants(page_size=1)]
    assert "sdk-fund" in listed
    assert listed == sorted(listed)
    assert not (await client.registry.reinstate_participant("sdk-fund")).restricted
    await client.registry.register_participant("sdk-mee", ParticipantKind.REGULATOR, "MEE")
    with pytest.raises(CqxApiError) as staff:
        await client.registry.open_account("sdk-mee-1", AccountKind.COVERED_ENTITY, "M", "sdk-mee")
    assert (staff.value.code, staff.value.reason) == ("FAILED_PRECONDITION", "STAFF_MAY_NOT_TRADE")


async def test_refusals_carry_the_code_and_reason(client: CqxClient) -> None:
    with pytest.raises(CqxApiError) as unknown:
        await client.registry.holdings("nobody-here")
    assert (unknown.value.code, unknown.value.reason) == ("NOT_FOUND", "ACCOUNT_NOT_FOUND")
    await open_member_account(client, "twice", AccountKind.INSTITUTION)
    with pytest.raises(CqxApiError) as twice:
        await client.registry.open_account("twice", AccountKind.INSTITUTION, "Twice", "twice")
    assert (twice.value.code, twice.value.reason) == ("ALREADY_EXISTS", "ACCOUNT_ALREADY_EXISTS")
    assert twice.value.one_line().startswith("error: ACCOUNT_ALREADY_EXISTS: ")


async def test_a_members_client_cannot_deposit_and_nothing_is_recorded(
    client: CqxClient, services: ThreeServices
) -> None:
    await open_member_account(client, "own-cash", AccountKind.INSTITUTION)
    await client.settlement.deposit("own-cash", parse_amount("100.00"))
    async with member_client(services.addresses, "own-cash") as member:
        with pytest.raises(CqxApiError) as refused:
            await member.settlement.deposit("own-cash", parse_amount("1000000.00"))
    assert (refused.value.code, refused.value.reason) == ("PERMISSION_DENIED", "ROLE_NOT_ALLOWED")
    assert refused.value.metadata["allowed_roles"] == "operator"
    assert refused.value.metadata["principal"] == "member:own-cash"
    assert (await client.settlement.cash_balance("own-cash")).balance_fen == 10_000


async def test_a_service_that_is_down_is_named_with_its_address(services: ThreeServices) -> None:
    addresses = dataclasses.replace(services.addresses, registry=UNREACHABLE)
    async with CqxClient(addresses, pki.operator(), attempts=2) as client:
        with pytest.raises(ServiceUnavailableError) as down:
            await client.registry.get_account("anyone")
    assert (down.value.service, down.value.address) == ("registry", UNREACHABLE)
    assert down.value.one_line().startswith(
        f"error: cannot reach the registry service at {UNREACHABLE}"
    )
