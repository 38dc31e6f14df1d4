"""The background writer of a latest value (the relay's checkpoint, a consumer's offsets):
values offered during a write coalesce into one write of the newest, a stop flushes the last
value but waits only so long, and a failed write is retried or fails the writer, as asked."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from cqx_bus.latest import LatestValueWriter, OnWriteFailure


class Destination:
    """Where values are written; each write can be held open or made to fail."""

    def __init__(self) -> None:
        self.written: list[object] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.failures = 0
        self.attempts = 0
        self.writing = asyncio.Event()
        self.done = asyncio.Event()  # set after every attempt, written or failed
        self.delay = 0.0

    async def write(self, value: object) -> None:
        self.attempts += 1
        self.writing.set()
        await self.gate.wait()
        await asyncio.sleep(self.delay)
        try:
            if self.failures:
                self.failures -= 1
                raise ConnectionError("the database went away")
            self.written.append(value)
        finally:
            asyncio.get_running_loop().call_soon(self.done.set)  # once the writer has seen it

    async def attempted(self, enough: Callable[[], bool]) -> None:
        async with asyncio.timeout(5):
            while not enough():
                self.done.clear()
                await self.done.wait()


async def settled(destination: Destination, count: int) -> None:
    await destination.attempted(lambda: len(destination.written) >= count)


async def test_values_offered_during_a_write_are_coalesced_into_the_newest() -> None:
    destination = Destination()
    destination.gate.clear()
    async with LatestValueWriter(destination.write, name="t") as writer:
        writer.offer(1)
        await destination.writing.wait()  # 1 is being written and held open
        for value in (2, 3, 4):
            writer.offer(value)
        destination.gate.set()
        await settled(destination, 2)
        await asyncio.sleep(0.05)
    assert destination.written == [1, 4]


async def test_a_merge_combines_the_values_not_yet_written() -> None:
    destination = Destination()
    destination.gate.clear()
    merge = lambda older, newer: {**older, **newer}  # noqa: E731
    async with LatestValueWriter(destination.write, name="t", merge=merge) as writer:
        writer.offer({"p0": 1})
        await destination.writing.wait()
        writer.offer({"p0": 5, "p1": 2})
        writer.offer({"p1": 7})
        destination.gate.set()
        await settled(destination, 2)
    assert destination.written == [{"p0": 1}, {"p0": 5, "p1": 7}]


async def test_stop_writes_the_last_value_offered() -> None:
    destination = Destination()
    destination.delay = 0.1  # a write takes a while: the stop must wait for it
    writer = LatestValueWriter(destination.write, name="t")
    writer.start()
    writer.offer(1)
    writer.offer(2)
    await writer.stop()
    assert destination.written[-1] == 2
    assert not writer.pending


async def test_stop_waits_for_a_write_that_hangs_only_as_long_as_told() -> None:
    destination = Destination()
    destination.gate.clear()  # the write never returns
    writer = LatestValueWriter(destination.write, name="t", stop_timeout=0.3)
    writer.start()
    writer.offer(1)
    started = time.monotonic()
    await writer.stop()
    assert 0.25 < time.monotonic() - started < 2.0
    assert destination.written == []


async def test_with_retry_a_failed_write_is_written_again_without_a_new_value() -> None:
    destination = Destination()
    destination.failures = 2
    async with LatestValueWriter(destination.write, name="t", retry_delay=0.05) as writer:
        writer.offer(7)
        await settled(destination, 1)
        writer.offer(8)  # the writer is still alive
        await settled(destination, 2)
    assert destination.attempts == 4
    assert destination.written == [7, 8]


async def test_with_retry_a_newer_value_offered_meanwhile_wins_over_the_failed_one() -> None:
    destination = Destination()
    destination.failures = 1
    destination.gate.clear()
    async with LatestValueWriter(destination.write, name="t", retry_delay=0.05) as writer:
        writer.offer(1)
        await destination.writing.wait()
        writer.offer(2)
        destination.gate.set()  # 1 fails; 2 is what is written next
        await settled(destination, 1)
    assert destination.written == [2]


async def test_with_fail_a_failed_write_stops_the_writer_and_the_next_offer_raises_it() -> None:
    destination = Destination()
    destination.failures = 1
    writer = LatestValueWriter(
        destination.write, name="t", on_failure=OnWriteFailure.FAIL, retry_delay=0.01
    )
    writer.start()
    writer.offer(1)
    await destination.attempted(lambda: writer.failure is not None)
    with pytest.raises(ConnectionError, match="went away"):
        writer.offer(2)
    await asyncio.sleep(0.05)
    await writer.stop()  # a failed writer stops at once, and quietly
    assert (destination.attempts, destination.written) == (1, [])
