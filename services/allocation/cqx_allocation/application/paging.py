"""Pages over sorted ids: page_size (0 → 50, at most 500) and an opaque page token."""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from cqx_allocation.domain.errors import InvalidAllocationRequestError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_PREFIX = "after:"


@dataclass(frozen=True)
class Page:
    """The ids of one page, and the token of the next ("" on the last page)."""

    ids: list[str]
    next_page_token: str


def page(sorted_ids: Sequence[str], page_size: int, page_token: str) -> Page:
    """The page of ``sorted_ids`` that ``page_size`` and ``page_token`` ask for."""
    size = _size(page_size)
    start = bisect.bisect_right(sorted_ids, _after(page_token)) if page_token else 0
    ids = list(sorted_ids[start : start + size])
    more = start + size < len(sorted_ids)
    return Page(ids, _token(ids[-1]) if more and ids else "")


def _size(page_size: int) -> int:
    if page_size < 0:
        raise InvalidAllocationRequestError(
            f"page_size must not be negative, got {page_size}", reason="PAGE_SIZE_NEGATIVE"
        )
    if page_size > MAX_PAGE_SIZE:
        raise InvalidAllocationRequestError(
            f"page_size is at most {MAX_PAGE_SIZE}, got {page_size}",
            reason="PAGE_SIZE_TOO_LARGE",
            metadata={"max_page_size": str(MAX_PAGE_SIZE)},
        )
    return page_size or DEFAULT_PAGE_SIZE


def _token(last_id: str) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{last_id}".encode()).decode()


def _after(page_token: str) -> str:
    try:
        text = base64.urlsafe_b64decode(page_token.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX):
        raise InvalidAllocationRequestError(
            "page_token is not one this service issued", reason="PAGE_TOKEN_INVALID"
        )
    return text[len(_PREFIX) :]
