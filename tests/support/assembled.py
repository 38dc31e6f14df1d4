"""A service built by its own composition root over the in-memory event store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from cqx_eventstore import EventStore, InMemoryEventStore
from cqx_service import Assembly, ServiceContext

A = TypeVar("A")


@asynccontextmanager
async def assembled(
    assemble: Callable[[ServiceContext], Awaitable[Assembly[A]]],
    service: str,
    store: EventStore | None = None,
) -> AsyncIterator[A]:
    """The application ``assemble`` builds over ``store`` (a new in-memory one by default),
    its journal running for the block."""
    context = ServiceContext.over(store or InMemoryEventStore(), service)
    context.journal.start()
    try:
        yield (await assemble(context)).app
    finally:
        await context.journal.stop()
