"""The single-writer journal on the in-memory store: order, idempotency, refusals."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence

import pytest

from cqx_eventstore import AppendRequest, ConcurrencyError, InMemoryEventStore, NewEvent, Outcome
from cqx_eventstore.planning import PreparedUnit
from cqx_kernel.errors import AlreadyExistsError, FailedPreconditionError, InvalidArgumentError
from cqx_service import Decision, Journal
from cqx_service.journal import JournalStoppedError


@pytest.fixture
async def journal() -> AsyncIterator[Journal]:
    journal = Journal(InMemoryEventStore())
    journal.start()
    yield journal
    await journal.stop()


def credit(ledger: list[int], amount: int) -> Decision:
    if amount <= 0:
        raise FailedPreconditionError("not positive", reason="NOT_POSITIVE")
    ledger.append(amount)
    event = NewEvent(str(uuid.uuid4()), "cqx.test.v1.Credited", str(amount).encode())
    return Decision([AppendRequest("ledger", None, [event])], str(sum(ledger)).encode())


async def test_decisions_are_recorded_in_the_order_they_were_made(journal: Journal) -> None:
    ledger: list[int] = []
    answers = await asyncio.gather(
        *(journal.execute(f"r{i}", lambda i=i: credit(ledger, i + 1)) for i in range(50))
    )
    assert answers[-1] == str(sum(range(1, 51))).encode()
    recorded = [int(e.payload) for e in await journal.store.read_stream("ledger")]
    assert recorded == ledger == list(range(1, 51))


async def test_a_retried_request_gets_the_first_answer_and_decides_nothing(
    journal: Journal,
) -> None:
    ledger: list[int] = []
    assert await journal.execute("r1", lambda: credit(ledger, 5)) == b"5"
    assert await journal.execute("r1", lambda: credit(ledger, 9)) == b"5"
    assert ledger == [5]


async def test_concurrent_copies_of_one_request_run_once(journal: Journal) -> None:
    ledger: list[int] = []
    answers = await asyncio.gather(
        *(journal.execute("same", lambda: credit(ledger, 3)) for _ in range(5))
    )
    assert answers == [b"3"] * 5
    assert ledger == [3]


async def test_a_refusal_records_nothing_and_a_missing_request_id_is_invalid(
    journal: Journal,
) -> None:
    with pytest.raises(FailedPreconditionError):
        await journal.execute("r1", lambda: credit([], 0))
    with pytest.raises(InvalidArgumentError) as missing:
        await journal.execute("", lambda: credit([], 1))
    assert missing.value.reason == "REQUEST_ID_MISSING"
    assert await journal.store.head() == (0, bytes(32))


async def test_an_audited_refusal_is_recorded_and_replayed_to_a_retry(journal: Journal) -> None:
    rejected = NewEvent(str(uuid.uuid4()), "cqx.test.v1.OrderRejected", b"PRICE_OUTSIDE_BAND")
    refusal = FailedPreconditionError("price outside band", reason="PRICE_OUTSIDE_BAND",
                                      metadata={"band": "6000-7000"})  # fmt: skip
    decision = Decision([AppendRequest("book", None, [rejected])], error=refusal)
    for _ in range(2):  # the retry gets the same refusal from the record
        with pytest.raises(FailedPreconditionError) as caught:
            await journal.execute("r9", lambda: decision)
        assert caught.value.reason == "PRICE_OUTSIDE_BAND"
        assert caught.value.metadata == {"band": "6000-7000"}
    assert len(await journal.store.read_stream("book")) == 1


async def test_a_request_id_reused_for_another_request_is_refused_not_answered(
    journal: Journal,
) -> None:
    ledger: list[int] = []
    assert await journal.execute("r1", lambda: credit(ledger, 5), "credit 5") == b"5"
    assert await journal.execute("r1", lambda: credit(ledger, 5), "credit 5") == b"5"
    with pytest.raises(AlreadyExistsError) as reused:
        await journal.execute("r1", lambda: credit(ledger, 9), "credit 9")
    assert reused.value.reason == "REQUEST_ID_REUSED"
    assert ledger == [5]
    assert len(await journal.store.read_stream("ledger")) == 1


async def test_a_request_id_reused_while_the_first_is_in_flight_is_refused(
    journal: Journal,
) -> None:
    ledger: list[int] = []
    first = asyncio.ensure_future(journal.execute("r2", lambda: credit(ledger, 5), "credit 5"))
    await asyncio.sleep(0)  # the first is being decided and recorded
    with pytest.raises(AlreadyExistsError):
        await journal.execute("r2", lambda: credit(ledger, 9), "credit 9")
    assert await first == b"5"
    assert ledger == [5]


class ConflictingStore(InMemoryEventStore):
    """A store where another writer (one that skips the head lock) wins every append."""

    async def commit_prepared(
        self, prepared: Sequence[PreparedUnit]
    ) -> list[Outcome | ConcurrencyError]:
        return [ConcurrencyError("ledger", 0, 1) for _ in prepared]


async def test_a_version_conflict_stops_the_journal_since_memory_is_ahead_of_the_log() -> None:
    journal = Journal(ConflictingStore())
    journal.start()
    try:
        ledger: list[int] = []
        with pytest.raises(JournalStoppedError):
            await journal.execute("r1", lambda: credit(ledger, 5))
        assert journal.failed.is_set()
        with pytest.raises(JournalStoppedError):  # no further work on a state nobody recorded
            await journal.execute("r2", lambda: credit(ledger, 7))
        assert ledger == [5]
    finally:
        await journal.stop()
