"""A value kept up to date somewhere else, written in the background: the newest one wins.

The relay's checkpoint (the last position the broker acknowledged) and a consumer's Kafka
offsets (the next message to read) are both such values. Whoever produces them must not wait
for each write: it offers the newest value and goes on, while one background task writes, one
write at a time, always the newest value offered by then; values offered during a write are
coalesced into one. A value written late, or lost with a crash, only means work done again
(the relay publishes again, the consumer reads again, and both are deduplicated downstream),
which is why a write may lag and a stop waits for the last one only so long.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger("cqx.bus.latest")

T = TypeVar("T")


class OnWriteFailure(enum.Enum):
    """What a :class:`LatestValueWriter` does when a write raises."""

    RETRY = "retry"
    """Log it and keep the value; write it again after a delay (merged with any newer)."""
    FAIL = "fail"
    """Stop writing; :meth:`LatestValueWriter.offer` raises the error from then on."""


class _Nothing:
    """No value waiting to be written (distinct from any value, None included)."""


_NOTHING = _Nothing()


class LatestValueWriter(Generic[T]):
    """Writes the newest offered value with ``write`` in a background task (see the module).

    ``merge(older, newer)`` combines a value not yet written with a newer one (by default the
    newer replaces it; offsets per partition merge instead). Use it as an async context
    manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        write: Callable[[T], Awaitable[None]],
        *,
        name: str,
        on_failure: OnWriteFailure = OnWriteFailure.RETRY,
        merge: Callable[[T, T], T] | None = None,
        retry_delay: float = 1.0,
        stop_timeout: float = 5.0,
    ) -> None:
        self._write = write
        self.name = name
        self._on_failure = on_failure
        self._merge = merge
        self._retry_delay = retry_delay
        self._stop_timeout = stop_timeout
        self._pending: T | _Nothing = _NOTHING
        self._wanted = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.failure: Exception | None = None
        """The write error that stopped the writer (policy FAIL), if any."""

    async def __aenter__(self) -> LatestValueWriter[T]:
        self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    def start(self) -> None:
        """Start the background task."""
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"latest value: {self.name}")

    def offer(self, value: T) -> None:
        """Make ``value`` the next to write; raise the failure if the writer has failed."""
        if self.failure is not None:
            raise self.failure
        self._keep(value)
        self._wanted.set()

    @property
    def pending(self) -> bool:
        """Whether a value is waiting to be written."""
        return self._pending is not _NOTHING

    async def stop(self) -> None:
        """Write the value still pending, waiting at most ``stop_timeout``; then stop.

        Never raises a write's error: what is not written is only work done again later.
        """
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wanted.set()
        try:
            await asyncio.wait({task}, timeout=self._stop_timeout)
        finally:
            if not task.done():
                log.warning(
                    "%s: last value not written within %.1f s", self.name, self._stop_timeout
                )
                task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        while not (self._stopping and self._pending is _NOTHING):
            if isinstance(self._pending, _Nothing):
                await self._wanted.wait()
                self._wanted.clear()
                continue
            value, self._pending = self._pending, _NOTHING
            try:
                await self._write(value)
            except Exception as error:
                self._keep(value, older=True)
                if self._on_failure is OnWriteFailure.FAIL:
                    self.failure = error
                    return
                log.warning("%s: not written (%s); retrying in %.1f s", self.name, error,
                            self._retry_delay)  # fmt: skip
                await asyncio.sleep(self._retry_delay)

    def _keep(self, value: T, *, older: bool = False) -> None:
        """Hold ``value`` for the next write, merged with the one already held."""
        held = self._pending
        if isinstance(held, _Nothing):
            self._pending = value
        elif older:  # a failed write's value goes back behind anything offered meanwhile
            self._pending = self._merge(value, held) if self._merge is not None else held
        else:
            self._pending = self._merge(held, value) if self._merge is not None else value
