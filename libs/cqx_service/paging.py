"""Pages of a list, the same in every service: ``page_size`` and an opaque ``page_token``.

``page_size`` 0 asks for the default (50); the most is 500; a negative one is refused. A
token is the one a previous page gave (``next_page_token``), naming the last key it held; the
next page starts after that key. The reasons are the same in all four services:
``PAGE_SIZE_NEGATIVE``, ``PAGE_SIZE_TOO_LARGE`` and ``PAGE_TOKEN_INVALID``.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from cqx_kernel.errors import InvalidArgumentError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_PREFIX = "after:"


@dataclass(frozen=True)
class Page:
    """The keys of one page, and the token of the next ("" on the last page)."""

    keys: list[str]
    next_page_token: str


def page_size_of(requested: int) -> int:
    """The page size to use: the default for 0, else 1 to 500; a bad one is INVALID_ARGUMENT."""
    if requested < 0:
        raise InvalidArgumentError(
            f"page_size must not be negative, got {requested}",
            reason="PAGE_SIZE_NEGATIVE",
            metadata={"page_size": str(requested), "max_page_size": str(MAX_PAGE_SIZE)},
        )
    if requested > MAX_PAGE_SIZE:
        raise InvalidArgumentError(
            f"page_size is at most {MAX_PAGE_SIZE}, got {requested}",
            reason="PAGE_SIZE_TOO_LARGE",
            metadata={"page_size": str(requested), "max_page_size": str(MAX_PAGE_SIZE)},
        )
    return requested or DEFAULT_PAGE_SIZE


def token_after(last_key: str) -> str:
    """The token of the page that starts after ``last_key``."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{last_key}".encode()).decode().rstrip("=")


def key_after(page_token: str) -> str | None:
    """The last key of the page that gave ``page_token`` (None for "" : the first page)."""
    if not page_token:
        return None
    padded = page_token + "=" * (-len(page_token) % 4)
    try:
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX) or len(text) == len(_PREFIX):
        raise InvalidArgumentError(
            "page_token is not one this service gave: pass next_page_token from the "
            "previous page, or nothing for the first page",
            reason="PAGE_TOKEN_INVALID",
        )
    return text[len(_PREFIX) :]


def page_of(sorted_keys: Sequence[str], page_size: int, page_token: str) -> Page:
    """The page of ``sorted_keys`` that ``page_size`` and ``page_token`` ask for."""
    size = page_size_of(page_size)
    after = key_after(page_token)
    start = 0 if after is None else bisect.bisect_right(sorted_keys, after)
    keys = list(sorted_keys[start : start + size])
    more = start + size < len(sorted_keys)
    return Page(keys, token_after(keys[-1]) if more and keys else "")


@dataclass(frozen=True)
class Window:
    """Where a page of a list in a fixed order starts, and how many items it holds at most."""

    start: int
    size: int


def window_of(page_size: int, page_token: str) -> Window:
    """The window ``page_size`` and ``page_token`` ask for, over a list in a fixed order (the
    token names the index the next page starts at: :func:`token_at`)."""
    size = page_size_of(page_size)
    after = key_after(page_token)
    if after is not None and not (after.isascii() and after.isdigit() and len(after) <= 18):
        raise InvalidArgumentError(
            "page_token is not one this service gave: pass next_page_token from the "
            "previous page, or nothing for the first page",
            reason="PAGE_TOKEN_INVALID",
        )
    return Window(0 if after is None else int(after), size)


def token_at(index: int) -> str:
    """The token of the page that starts at ``index`` of a list in a fixed order."""
    return token_after(str(index))


def offset_page(length: int, page_size: int, page_token: str) -> tuple[slice, str]:
    """The slice of a list in a fixed order (of ``length`` items) that ``page_size`` and
    ``page_token`` ask for, and the token of the next page ("" on the last one)."""
    window = window_of(page_size, page_token)
    end = window.start + window.size
    return slice(window.start, end), (token_at(end) if end < length else "")
