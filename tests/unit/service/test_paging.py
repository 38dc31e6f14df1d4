"""List pages, the same in every service: 50 by default, at most 500, resumed by a token."""

from __future__ import annotations

import pytest

from cqx_kernel.errors import InvalidArgumentError
from cqx_service.paging import Window, offset_page, page_of, token_after, token_at, window_of

IDS = [f"e{i:04d}" for i in range(120)]


def test_the_default_page_holds_50() -> None:
    first = page_of(IDS, 0, "")
    assert first.keys == IDS[:50]
    assert first.next_page_token


def test_following_tokens_visits_every_id_once_in_order() -> None:
    seen: list[str] = []
    token = ""
    while True:
        found = page_of(IDS, 7, token)
        seen += found.keys
        token = found.next_page_token
        if not token:
            break
    assert seen == IDS


def test_the_last_page_has_no_token() -> None:
    assert page_of(IDS, 500, "").next_page_token == ""
    assert page_of(IDS[:10], 10, "").next_page_token == ""
    assert page_of([], 5, "").keys == []


def test_a_token_resumes_after_its_key_even_if_that_key_is_gone() -> None:
    token = page_of(IDS, 10, "").next_page_token  # after e0009
    without = [i for i in IDS if i != "e0009"]
    assert page_of(without, 2, token).keys == ["e0010", "e0011"]


@pytest.mark.parametrize(
    ("size", "token", "reason"),
    [
        (501, "", "PAGE_SIZE_TOO_LARGE"),
        (-1, "", "PAGE_SIZE_NEGATIVE"),
        (10, "not-a-token", "PAGE_TOKEN_INVALID"),
        (10, "!!!", "PAGE_TOKEN_INVALID"),
        (10, "YWZ0ZXI6", "PAGE_TOKEN_INVALID"),  # "after:" with no key
    ],
)
def test_bad_paging_is_refused(size: int, token: str, reason: str) -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        page_of(IDS, size, token)
    assert refused.value.reason == reason


def test_a_window_over_a_fixed_order_resumes_at_the_index_its_token_names() -> None:
    assert window_of(0, "") == Window(0, 50)
    assert window_of(10, token_at(20)) == Window(20, 10)
    assert offset_page(25, 10, token_at(20)) == (slice(20, 30), "")
    assert offset_page(25, 10, "") == (slice(0, 10), token_at(10))
    for bad in ("abc", token_after("twenty")):
        with pytest.raises(InvalidArgumentError) as refused:
            window_of(10, bad)
        assert refused.value.reason == "PAGE_TOKEN_INVALID"
