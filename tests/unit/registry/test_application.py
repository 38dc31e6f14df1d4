"""The application on the in-memory event store: journal, rebuild, as-of, reactions, paging."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from cqx.allocation.v1 import events_pb2 as allocation
from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_eventstore import InMemoryEventStore
from cqx_kernel.errors import FailedPreconditionError, InvalidArgumentError
from cqx_registry.application.registry_app import RegistryApplication
from cqx_registry.domain import commands as cmd
from cqx_registry.domain.commands import AccountKind
from cqx_registry.domain.state import Holding
from cqx_service import Journal

CEA = "CEA-2024"


@pytest.fixture
async def app() -> AsyncIterator[RegistryApplication]:
    store = InMemoryEventStore()
    journal = Journal(store)
    journal.start()
    try:
        yield await RegistryApplication.start(store, journal)
    finally:
        await journal.stop()


async def _open(app: RegistryApplication, account_id: str) -> None:
    command = cmd.OpenAccount(account_id, AccountKind.COVERED_ENTITY, f"Company {account_id}")
    await app.execute(f"open-{account_id}", lambda _: command, lambda c: b"ok", {})


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
    move = lambda new_id: cmd.MoveToTrading(new_id, "A", CEA, 30)  # noqa: E731
    first = await app.execute("r1", move, lambda c: c.move_id.encode(), {"actor": "ops"})
    again = await app.execute("r1", move, lambda c: c.move_id.encode(), {"actor": "ops"})
    assert first == again
    assert app.holding("A", CEA) == Holding(registry=70, trading=30)


async def test_a_terminated_transfer_is_recorded_then_refused(app: RegistryApplication) -> None:
    await _open(app, "A")
    await _open(app, "B")
    head_before, _ = await app.store.head()
    transfer = lambda new_id: cmd.TransferAllowances(new_id, "A", "B", CEA, 5)  # noqa: E731
    with pytest.raises(FailedPreconditionError) as refused:
        await app.execute("t1", transfer, lambda c: b"", {})
    assert refused.value.reason == "INSUFFICIENT_REGISTRY_POSITION"
    types = [e.event_type async for e in app.store.read_all(head_before)]
    assert types == ["cqx.registry.v1.TransferProposed", "cqx.registry.v1.TransferTerminated"]
    with pytest.raises(FailedPreconditionError):  # the retry is answered the same way
        await app.execute("t1", transfer, lambda c: b"", {})


async def test_a_refused_command_records_nothing(app: RegistryApplication) -> None:
    await _open(app, "A")
    head_before, _ = await app.store.head()
    with pytest.raises(InvalidArgumentError):
        await app.execute("bad", lambda i: cmd.MoveToTrading(i, "A", "CEA-1", 1), lambda c: b"", {})
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
    await app.execute("m", lambda i: cmd.MoveToTrading(i, "A", CEA, 40), lambda c: b"", {})
    restarted = await RegistryApplication.start(app.store, app.journal)
    assert restarted.state == app.state
    past = await restarted.holdings("A", as_of_position=after_issue)
    assert (past.holdings, past.position) == ({CEA: Holding(registry=100)}, after_issue)
    now = await restarted.holdings("A")
    assert now.holdings == {CEA: Holding(registry=60, trading=40)}
    beyond = await restarted.holdings("A", as_of_position=10_000)
    assert beyond.position == now.position


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
