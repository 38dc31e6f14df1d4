"""Every item of a paged list RPC, fetched page by page as the caller iterates."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 500

# Given a page token, one page of items and the next page's token ("" after the last).
FetchPage = Callable[[str], Awaitable[tuple[Sequence[Item], str]]]


async def every_item(fetch: FetchPage[Item]) -> AsyncIterator[Item]:
    """The items of every page, in order; the next page is asked for only when needed."""
    token = ""
    while True:
        items, token = await fetch(token)
        for item in items:
            yield item
        if not token:
            return
