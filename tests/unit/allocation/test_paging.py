"""List pages: 50 by default, at most 500, resumed by an opaque token."""

from __future__ import annotations

import pytest

from cqx_allocation.application.paging import page
from cqx_allocation.domain.errors import InvalidAllocationRequestError

IDS = [f"e{i:04d}" for i in range(120)]


def test_the_default_page_holds_50() -> None:
    first = page(IDS, 0, "")
    assert first.ids == IDS[:50]
    assert first.next_page_token


def test_following_tokens_visits_every_id_once_in_order() -> None:
    seen: list[str] = []
    token = ""
    while True:
        found = page(IDS, 7, token)
        seen += found.ids
        token = found.next_page_token
        if not token:
            break
    assert seen == IDS


def test_the_last_page_has_no_token() -> None:
    assert page(IDS, 500, "").next_page_token == ""
    assert page(IDS[:10], 10, "").next_page_token == ""
    assert page([], 5, "").ids == []


@pytest.mark.parametrize(
    ("size", "token", "reason"),
    [
        (501, "", "PAGE_SIZE_TOO_LARGE"),
        (-1, "", "PAGE_SIZE_NEGATIVE"),
        (10, "not-a-token", "PAGE_TOKEN_INVALID"),
        (10, "!!!", "PAGE_TOKEN_INVALID"),
    ],
)
def test_bad_paging_is_refused(size: int, token: str, reason: str) -> None:
    with pytest.raises(InvalidAllocationRequestError) as refused:
        page(IDS, size, token)
    assert refused.value.reason == reason
