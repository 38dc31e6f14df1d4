"""Who placed each order, and how the orders of earlier days ended.

The books forget their closed orders at the end of each day; an amendment of an order must
still be refused for the right reason, and ownership first: a refusal must say nothing about
another participant's order (not even that it filled).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cqx_matching.domain.book.order_index import OrderIndex


class OrderDirectory:
    """Every accepted order's account, and whether each order of an earlier day filled."""

    __slots__ = ("accounts", "ended")

    def __init__(self) -> None:
        self.accounts: dict[str, str] = {}  # order id → the account that placed it
        self.ended: dict[str, bool] = {}  # order id of an earlier day → it filled

    def accepted(self, order_id: str, account: str) -> None:
        """``account`` placed ``order_id`` (an id may come back on a later day)."""
        self.accounts[order_id] = account
        if order_id in self.ended:
            del self.ended[order_id]

    def end_day(self, books: Iterable[OrderIndex]) -> None:
        """Before the books forget the day: how each of their closed orders ended."""
        for book in books:
            for order_id in book.seen:
                if order_id not in book.open:
                    self.ended[order_id] = order_id not in book.unfilled

    def owner(self, order_id: str) -> str | None:
        """The account that placed ``order_id``, if the exchange accepted it."""
        return self.accounts.get(order_id)

    def snapshot(self) -> dict[str, Any]:
        """The directory as plain values."""
        return {"accounts": dict(sorted(self.accounts.items())), "ended": sorted(self.ended)}
