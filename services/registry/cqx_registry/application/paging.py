"""Pages of a sorted list of ids: ``page_size`` (default 50, at most 500) and opaque tokens."""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Sequence

from cqx_registry.domain.errors import invalid

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def page_size_of(requested: int) -> int:
    """The page size to use: the default for 0, else 1-500."""
    if requested < 0:
        raise invalid("page_size must not be negative", "PAGE_SIZE_INVALID")
    if requested > MAX_PAGE_SIZE:
        raise invalid(
            f"page_size must be at most {MAX_PAGE_SIZE}",
            "PAGE_SIZE_TOO_LARGE",
            max_page_size=str(MAX_PAGE_SIZE),
        )
    return requested or DEFAULT_PAGE_SIZE


def page(ids: Sequence[str], size: int, token: str) -> tuple[list[str], str]:
    """The ids after the token's, at most ``size``, and the token of the next page ("" if none)."""
    start = bisect.bisect_right(ids, _after(token)) if token else 0
    chosen = list(ids[start : start + size])
    more = start + size < len(ids)
    return chosen, (_token(chosen[-1]) if more and chosen else "")


def _token(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def _after(token: str) -> str:
    padded = token + "=" * (-len(token) % 4)
    try:
        last_id = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        last_id = ""
    if not last_id:
        raise invalid("page_token is not one this service gave", "PAGE_TOKEN_INVALID")
    return last_id
