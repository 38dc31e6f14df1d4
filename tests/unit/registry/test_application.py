"""The application on the in-memory event store: journal, rebuild, as-of, reactions, paging."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from cqx.allocation.v1 import events_pb2 as allocation
from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_eventstore import InMemoryEventStore
from cqx_kernel.errors import FailedPreconditionError, InvalidArgumentError
from cqx_registry.application.app import RegistryApplication
from cqx_registry.bootstrap import assemble
from cqx_registry.domain import commands as cmd
from cqx_registry.domain.commands import AccountKind, ParticipantKind
from cqx_registry.domain.state import Holding
from tests.support.assembled import assembled

CEA = "CEA-2024"


@pytest.fixture
async def app() -> AsyncIterator[RegistryApplication]:
    async with assembled(assemble, "registry", InMemoryEventStore()) as registry:
        yield registry


async def _open(app: RegistryApplication, account_id: str) -> None:
    kind = ParticipantKind.KEY_EMISSION_UNIT
    member = cmd.RegisterParticipant(account_id, kind, f"Company {account_id}")
    await app.execute(f"register-{account_id}", member, lambda _: b"ok", {})
    name = f"Company {account_id}"
    command = cmd.OpenAccount(account_id, AccountKind.COVERED_ENTITY, name, account_id)
    await app.execute(f"open-{account_id}", command, lambda _: b"ok", {})


async def _issue(app: RegistryApplication, account_id: str, quantity: int) -> None:
    message = allocation.AllocationIssued(
        issuance_id=str(uuid.uuid4()),
        account_id=account_id,
        instrument=CEA,
        quantity_tonnes=quantity,
    )
    envelope = EventEnvelope(
        source="allocation",
        position=1,
        stream_id="entity-1",
        event_id=str(uuid.uuid4()),
        event_type="cqx.allocation.v1.AllocationIssued",
        payload=message.SerializeToString(),
        metadata={"correlation_id": "plan-2024"},
    )
    await app.journal.record(await app.on_foreign_event(envelope))


async def test_a_retried_request_gets_the_first_answer_and_changes_nothing_more(
    app: RegistryApplication,
) -> None:
    await _open(app, "A")
    await _issue(app, "A", 100)
    first_move = cmd.MoveToTrading(app.new_id(), "A", CEA, 30)
    retried_move = cmd.MoveToTrading(app.new_id(), "A", CEA, 30)  # a new id: the retry's own
    first = await app.execute("r1", first_move, lambda _: first_move.move_id.encode(), {})
    again = await app.execute("r1", retried_move, lambda _: retried_move.move_id.encode(), {})
    assert first == again == first_move.move_id.encode()
    assert app.holding("A", CEA) == Holding(registry=70, trading=30)


async def test_a_terminated_transfer_is_recorded_then_refused(app: RegistryApplication) -> None:
    await _open(app, "A")
    await _open(app, "B")
    head_before, _ = await app.store.head()
    transfer = cmd.TransferAllowances(app.new_id(), "A", "B", CEA, 5)
    with pytest.raises(FailedPreconditionError) as refused:
        await app.execute("t1", transfer, lambda _: b"", {})
    assert refused.value.reason == "INSUFFICIENT_REGISTRY_POSITION"
    types = [e.event_type async for e in app.store.read_all(head_before)]
    assert types == ["cqx.registry.v1.TransferProposed", "cqx.registry.v1.TransferTerminated"]
    with pytest.raises(FailedPreconditionError):  # the retry is answered the same way
        await app.execute("t1", transfer, lambda _: b"", {})


async def test_a_refused_command_records_nothing(app: RegistryApplication) -> None:
    await _open(app, "A")
    head_before, _ = await app.store.head()
    with pytest.raises(InvalidArgumentError):
        await app.execute("bad", cmd.MoveToTrading("m", "A", "CEA-1", 1), lambda _: b"", {})
    assert (await app.store.head())[0] == head_before


async def test_an_issuance_is_recorded_as_caused_by_the_allocation_event(
    app: RegistryApplication,
) -> None:
    await _open(app, "A")
    await _issue(app, "A", 100)
    (issued,) = [e async for e in app.store.read_all() if e.event_type.endswith("Issued")]
    assert issued.metadata["correlation_id"] == "plan-2024"
    assert issued.stream_id == "account-A"


async def test_a_restart_rebuilds_the_same_registry_and_the_past_stays_queryable(
    app: RegistryApplication,
) -> None:
    await _open(app, "A")
    await _issue(app, "A", 100)
    after_issue, _ = await app.store.head()
    await app.execute("m", cmd.MoveToTrading("m", "A", CEA, 40), lambda _: b"", {})
    async with assembled(assemble, "registry", app.store) as restarted:
        assert restarted.state == app.state
        past = await restarted.holdings("A", as_of_position=after_issue)
        assert (past.holdings, past.position) == ({CEA: Holding(registry=100)}, after_issue)
        now = await restarted.holdings("A")
        assert now.holdings == {CEA: Holding(registry=60, trading=40)}


async def test_holdings_as_of_a_position_past_the_head_are_refused_not_answered_for_now(
    app: RegistryApplication,
) -> None:
    await _open(app, "A")
    head, _ = await app.store.head()
    for beyond in (head + 1, 2**63 - 1):
        with pytest.raises(InvalidArgumentError) as refused:
            await app.holdings("A", as_of_position=beyond)
        assert refused.value.reason == "POSITION_AFTER_HEAD"
        assert refused.value.metadata["head_position"] == str(head)


async def test_accounts_are_listed_in_id_order_a_page_at_a_time(app: RegistryApplication) -> None:
    for account_id in ("C", "A", "E", "B", "D"):
        await _open(app, account_id)
    first, token = app.accounts_page(2, "")
    second, token2 = app.accounts_page(2, token)
    third, token3 = app.accounts_page(2, token2)
    assert [[a.account_id for a in p] for p in (first, second, third)] == [
        ["A", "B"],
        ["C", "D"],
        ["E"],
    ]
    assert token3 == ""
    with pytest.raises(InvalidArgumentError) as too_large:
        app.accounts_page(501, "")
    assert too_large.value.reason == "PAGE_SIZE_TOO_LARGE"
    with pytest.raises(InvalidArgumentError) as bad_token:
        app.accounts_page(2, "!!!")
    assert bad_token.value.reason == "PAGE_TOKEN_INVALID"
