"""The contract every event store must honour: in-memory and PostgreSQL run the same tests.

A subclass provides the ``store`` fixture and :meth:`tamper`.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence

import pytest

from cqx_eventstore import (
    AlreadyHandled,
    AppendRequest,
    Committed,
    ConcurrencyError,
    Duplicate,
    DuplicateEventIdError,
    EventStore,
    GroupCommitter,
    IdempotencyRecord,
    InvalidAppendError,
    NewEvent,
    TrackingRecord,
    UnitOfWork,
)
from cqx_eventstore.hashing import GENESIS_HASH


def events(count: int, kind: str = "cqx.test.v1.Happened") -> list[NewEvent]:
    return [NewEvent(str(uuid.uuid4()), kind, f"payload-{i}".encode()) for i in range(count)]


def unit(stream: str, expected: int | None, count: int = 1, **kwargs: object) -> UnitOfWork:
    return UnitOfWork(requests=[AppendRequest(stream, expected, events(count))], **kwargs)  # type: ignore[arg-type]


async def collect(store: EventStore, from_position: int = 0, **kwargs: int) -> list[int]:
    return [e.position async for e in store.read_all(from_position, **kwargs)]


class EventStoreContract(ABC):
    """Behaviour a user of the event store relies on, whatever the implementation."""

    @abstractmethod
    async def tamper(self, store: EventStore, position: int) -> None:
        """Change a stored event's payload the way an attacker with raw access would."""

    async def test_append_assigns_gap_free_positions_and_versions(self, store: EventStore) -> None:
        first = await store.append("account-1", 0, events(3), {"actor": "op"})
        second = await store.append("account-2", 0, events(2))
        third = await store.append("account-1", 3, events(1))
        assert (first, second, third) == ((1, 2, 3), (4, 5), (6,))
        stream = await store.read_stream("account-1")
        assert [(e.stream_version, e.position) for e in stream] == [(1, 1), (2, 2), (3, 3), (4, 6)]
        assert stream[0].metadata == {"actor": "op"}
        assert stream[0].payload == b"payload-0"
        assert await store.stream_version("account-1") == 4
        assert await store.stream_version("nobody") == 0

    async def test_wrong_expected_version_raises_concurrency_error_and_writes_nothing(
        self, store: EventStore
    ) -> None:
        await store.append("order-7", 0, events(2))
        with pytest.raises(ConcurrencyError) as caught:
            await store.append("order-7", 1, events(1))
        assert (caught.value.expected, caught.value.actual) == (1, 2)
        assert caught.value.reason == "CONCURRENT_MODIFICATION"
        assert await store.head() != (0, GENESIS_HASH)
        assert await collect(store) == [1, 2]

    async def test_many_streams_in_one_unit_commit_all_or_nothing(self, store: EventStore) -> None:
        await store.append("seller", 0, events(1))
        both = UnitOfWork(
            requests=[AppendRequest("buyer", 0, events(1)), AppendRequest("seller", 0, events(1))]
        )
        with pytest.raises(ConcurrencyError):
            await store.commit(both)
        assert await store.stream_version("buyer") == 0
        fixed = UnitOfWork(
            requests=[AppendRequest("buyer", 0, events(1)), AppendRequest("seller", 1, events(1))]
        )
        assert await store.commit(fixed) == Committed((2, 3))

    async def test_read_stream_up_to_a_version(self, store: EventStore) -> None:
        await store.append("s", 0, events(5))
        assert [e.stream_version for e in await store.read_stream("s", up_to_version=3)] == [
            1,
            2,
            3,
        ]

    async def test_read_all_pages_through_everything_in_order(self, store: EventStore) -> None:
        for i in range(7):
            await store.append(f"s{i}", 0, events(3))
        assert await collect(store, batch_size=4) == list(range(1, 22))
        assert await collect(store, 15, batch_size=2) == list(range(16, 22))
        assert await collect(store, 5, to_position=9) == [6, 7, 8, 9]

    async def test_read_rows_gives_projections_what_they_fold(self, store: EventStore) -> None:
        await store.append("a", 0, events(3))
        await store.append("b", 0, events(2))
        pages = [list(page) async for page in store.read_rows(1, batch_size=2)]
        assert [len(p) for p in pages] == [2, 2]
        assert [tuple(r) for p in pages for r in p] == [
            (2, "a", 2, "cqx.test.v1.Happened", b"payload-1"),
            (3, "a", 3, "cqx.test.v1.Happened", b"payload-2"),
            (4, "b", 1, "cqx.test.v1.Happened", b"payload-0"),
            (5, "b", 2, "cqx.test.v1.Happened", b"payload-1"),
        ]

    async def test_hash_chain_links_every_event_and_verifies(self, store: EventStore) -> None:
        for i in range(4):
            await store.append(f"s{i}", 0, events(2))
        log = [e async for e in store.read_all()]
        assert log[0].prev_hash == GENESIS_HASH
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(log))
        assert len({e.hash for e in log}) == 8
        assert await store.head() == (8, log[-1].hash)
        assert await store.verify() is None

    async def test_verify_finds_the_first_altered_event(self, store: EventStore) -> None:
        for i in range(5):
            await store.append(f"s{i}", 0, events(2))
        await self.tamper(store, 6)
        assert await store.verify() == 6

    async def test_a_retried_request_gets_the_first_outcome_and_writes_nothing(
        self, store: EventStore
    ) -> None:
        first = await store.commit(
            unit("acct", 0, idempotency=IdempotencyRecord("req-1", b"order 42 accepted"))
        )
        assert first == Committed((1,))
        again = await store.commit(
            unit("acct", 1, idempotency=IdempotencyRecord("req-1", b"something else"))
        )
        assert again == Duplicate(b"order 42 accepted")
        assert await store.recorded_outcome("req-1") == b"order 42 accepted"
        assert await store.recorded_outcome("req-2") is None
        assert await collect(store) == [1]

    async def test_a_redelivered_foreign_event_is_handled_once(self, store: EventStore) -> None:
        foreign = str(uuid.uuid4())
        tracked = (TrackingRecord("settlement<-matching", foreign),)
        assert await store.commit(unit("cash", 0, tracking=tracked)) == Committed((1,))
        assert await store.commit(unit("cash", 1, tracking=tracked)) == AlreadyHandled()
        assert await store.is_handled("settlement<-matching", foreign)
        assert not await store.is_handled("registry<-matching", foreign)
        assert await collect(store) == [1]

    async def test_a_handled_event_that_causes_no_events_is_still_tracked(
        self, store: EventStore
    ) -> None:
        foreign = str(uuid.uuid4())
        tracked = (TrackingRecord("c", foreign),)
        assert await store.commit(UnitOfWork(tracking=tracked)) == Committed(())
        assert await store.commit(UnitOfWork(tracking=tracked)) == AlreadyHandled()

    async def test_malformed_appends_are_rejected_before_writing(self, store: EventStore) -> None:
        with pytest.raises(InvalidAppendError):
            await store.append("", 0, events(1))
        with pytest.raises(InvalidAppendError):
            await store.append("s", 0, [NewEvent("not-a-uuid", "t", b"")])
        with pytest.raises(InvalidAppendError):
            await store.append("s", 0, [NewEvent(str(uuid.uuid4()).upper(), "t", b"")])
        assert await store.head() == (0, GENESIS_HASH)

    async def test_an_event_id_recorded_already_is_refused_and_the_batch_writes_nothing(
        self, store: EventStore
    ) -> None:
        (first,) = events(1)
        await store.append("a", 0, [first])
        with pytest.raises(DuplicateEventIdError) as caught:
            await store.commit_many([unit("b", 0), UnitOfWork([AppendRequest("c", 0, [first])])])
        assert caught.value.reason == "EVENT_ID_ALREADY_RECORDED"
        assert await collect(store) == [1]
        (twice,) = events(1)
        with pytest.raises(DuplicateEventIdError):
            await store.append("d", 0, [twice, twice])
        assert await store.head() == (1, (await store.read_stream("a"))[0].hash)
        assert await store.append("b", 0, events(1)) == (2,)

    async def test_group_commit_answers_each_caller_with_its_own_outcome(
        self, store: EventStore
    ) -> None:
        committer = GroupCommitter(store, max_batch=64)
        committer.start()
        try:
            # 100 callers race for 20 streams at version 0: exactly one per stream wins.
            tasks = [committer.commit(unit(f"s{i % 20}", 0, 2)) for i in range(100)]
            results = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await committer.stop()
        won = [r for r in results if isinstance(r, Committed)]
        lost = [r for r in results if isinstance(r, ConcurrencyError)]
        assert (len(won), len(lost)) == (20, 80)
        assert sorted(p for r in won for p in r.positions) == list(range(1, 41))
        assert await store.verify() is None

    async def test_concurrent_appenders_and_a_tailer_see_every_event_once_in_order(
        self, store: EventStore
    ) -> None:
        writers, per_writer, size = 12, 25, 2
        total = writers * per_writer * size
        seen: list[int] = []

        async def tail() -> None:
            async for event in store.subscribe(0):
                seen.append(event.position)
                if len(seen) == total:
                    return

        async def write(w: int) -> None:
            for n in range(per_writer):
                await store.append(f"w{w}", n * size, events(size))

        tailer = asyncio.create_task(tail())
        await asyncio.gather(*(write(w) for w in range(writers)))
        await asyncio.wait_for(tailer, 30)
        assert seen == list(range(1, total + 1))

    async def test_a_subscriber_is_woken_by_a_new_commit_not_by_polling(
        self, store: EventStore
    ) -> None:
        await store.append("s", 0, events(3))
        arrivals: list[tuple[int, float]] = []

        async def follow() -> None:
            async for event in store.subscribe(1):
                arrivals.append((event.position, time.monotonic()))
                if event.position == 4:
                    return

        follower = asyncio.create_task(follow())
        await asyncio.sleep(0.5)  # caught up (positions 2 and 3), now waiting
        assert [p for p, _ in arrivals] == [2, 3]
        sent = time.monotonic()
        await store.append("s", 3, events(1))
        await asyncio.wait_for(follower, 10)
        # The safety-net re-read runs every 5 s; a notification arrives in milliseconds.
        assert arrivals[-1][0] == 4
        assert arrivals[-1][1] - sent < 1.0

    async def test_group_committed_requests_are_durable_in_order(self, store: EventStore) -> None:
        committer = GroupCommitter(store)
        committer.start()
        try:
            outcomes = await asyncio.gather(
                *(committer.commit(unit(f"acct-{i}", 0, 1)) for i in range(50))
            )
        finally:
            await committer.stop()
        positions: Sequence[int] = [p for o in outcomes for p in o.positions]  # type: ignore[union-attr]
        assert sorted(positions) == list(range(1, 51))
        for i, outcome in enumerate(outcomes):
            (event,) = await store.read_stream(f"acct-{i}")
            assert (event.position,) == outcome.positions  # type: ignore[union-attr]
