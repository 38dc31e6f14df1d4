"""One side of an order book: price → FIFO level, with O(1) cancel by order id.

As in exchange-core: integer prices and quantities, a sorted structure of prices and a FIFO
bucket per price. Prices are kept in a plain sorted list of *keys* (the price for bids, minus
the price for asks) so that the best price is always the last element: matching pops from
the end in O(1), and a new level costs one ``bisect.insort`` (a memmove over a few hundred
ints). A level's bucket is a doubly linked list threaded through the orders themselves:
appending, cancelling (by the order, found through the book's id index) and taking the
oldest are all O(1). Two alternatives were measured and dropped: a deque with lazily deleted
entries (skipping dead entries in Python made sweeps through cancel-heavy levels a hundred
times slower than the median operation) and an insertion-ordered dict per level (CPython
finds a dict's first key by scanning past every deleted slot, about 1 µs per match).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator

from cqx_matching.domain.errors import check

DepthRow = tuple[int, int, int]  # price, quantity, number of orders


class RestingOrder:
    """An order on a book; ``remaining`` is what is still open. ``newer`` and ``older`` link
    it to its neighbours in its price level's queue (None at the ends).
    """

    __slots__ = (
        "account",
        "is_buy",
        "newer",
        "older",
        "order_id",
        "post_only",
        "price",
        "remaining",
        "sequence",
    )

    def __init__(
        self,
        order_id: str,
        account: str,
        is_buy: bool,
        price: int,
        remaining: int,
        sequence: int,
        post_only: bool,
    ) -> None:
        self.order_id = order_id
        self.account = account
        self.is_buy = is_buy
        self.price = price
        self.remaining = remaining
        self.sequence = sequence
        self.post_only = post_only
        self.older: RestingOrder | None = None
        self.newer: RestingOrder | None = None

    def key(self) -> tuple[str, str, bool, int, int, int, bool]:
        """Every field, for comparing two books."""
        return (
            self.order_id,
            self.account,
            self.is_buy,
            self.price,
            self.remaining,
            self.sequence,
            self.post_only,
        )


class PriceLevel:
    """The orders at one price, oldest (``head``) to newest (``tail``), with their total
    quantity and number."""

    __slots__ = ("count", "head", "price", "quantity", "tail")

    def __init__(self, price: int) -> None:
        self.price = price
        self.head: RestingOrder | None = None
        self.tail: RestingOrder | None = None
        self.quantity = 0
        self.count = 0

    def append(self, order: RestingOrder) -> None:
        """Queue ``order`` behind the newest."""
        tail = self.tail
        order.older = tail
        if tail is None:
            self.head = order
        else:
            tail.newer = order
        self.tail = order
        self.quantity += order.remaining
        self.count += 1

    def unlink(self, order: RestingOrder) -> None:
        """Take ``order`` (with its remaining quantity) out of the queue."""
        older, newer = order.older, order.newer
        if older is None:
            self.head = newer
        else:
            older.newer = newer
        if newer is None:
            self.tail = older
        else:
            newer.older = older
        order.older = order.newer = None  # no cycles left behind for the collector
        self.quantity -= order.remaining
        self.count -= 1

    def live(self) -> list[RestingOrder]:
        """The orders, in time priority."""
        out, order = [], self.head
        while order is not None:
            out.append(order)
            order = order.newer
        return out


class BookSide:
    """The bids or the asks of one book."""

    __slots__ = ("is_buy", "keys", "levels", "sign")

    def __init__(self, is_buy: bool) -> None:
        self.is_buy = is_buy
        self.sign = 1 if is_buy else -1
        self.levels: dict[int, PriceLevel] = {}
        self.keys: list[int] = []  # sign × price, ascending: the best price is last

    def best(self) -> int | None:
        """The best price on this side, or None if it is empty."""
        keys = self.keys
        return keys[-1] * self.sign if keys else None

    def add(self, order: RestingOrder) -> None:
        """Queue ``order`` at the back of its price level."""
        price = order.price
        level = self.levels.get(price)
        if level is None:
            level = self.levels[price] = PriceLevel(price)
            insort(self.keys, price * self.sign)
        level.append(order)

    def remove(self, order: RestingOrder) -> None:
        """Take ``order`` off the book; drop its level if that empties it."""
        level = self.levels[order.price]
        level.unlink(order)
        if not level.count:
            self.drop(order.price)

    def reduce(self, order: RestingOrder, quantity: int) -> None:
        """Lower a live order's remaining to ``quantity`` (> 0) without moving it."""
        self.levels[order.price].quantity -= order.remaining - quantity
        order.remaining = quantity

    def drop(self, price: int) -> None:
        """Forget the (empty) level at ``price``."""
        del self.levels[price]
        keys, key = self.keys, price * self.sign
        if keys[-1] == key:
            keys.pop()
        else:
            del keys[bisect_left(keys, key)]

    def can_fill(self, account: str, price: int, quantity: int, skip_own: bool) -> bool:
        """FOK: whether ``quantity`` would trade in full against this side up to ``price``.

        A resting order of ``account`` in the way stops the fill (self-trade prevention would
        cancel the incoming order), unless ``skip_own`` (it would cancel the resting one).
        """
        limit_key = self.sign * price
        for key in reversed(self.keys):
            if key < limit_key:
                break
            for maker in self.levels[key * self.sign].live():
                if maker.account == account:
                    if skip_own:
                        continue
                    return False
                quantity -= maker.remaining
                if quantity <= 0:
                    return True
        return False

    def prices(self, count: int | None = None) -> list[int]:
        """The best ``count`` prices (all if None), best first."""
        keys = self.keys if count is None else self.keys[-count:] if count > 0 else []
        return [key * self.sign for key in reversed(keys)]

    def depth(self, count: int) -> list[DepthRow]:
        """L2: the best ``count`` levels as (price, quantity, orders), best first."""
        levels = self.levels
        return [(p, levels[p].quantity, levels[p].count) for p in self.prices(count)]

    def in_priority(self) -> Iterator[RestingOrder]:
        """Every live order, best price first and oldest first within a price."""
        for price in self.prices():
            yield from self.levels[price].live()

    def snapshot(
        self,
    ) -> tuple[tuple[int, tuple[tuple[str, str, bool, int, int, int, bool], ...]], ...]:
        """The side as plain values, for comparing a live book with a rebuilt one."""
        return tuple(
            (price, tuple(order.key() for order in self.levels[price].live()))
            for price in self.prices()
        )

    def validate(self, index: dict[str, RestingOrder]) -> int:
        """Check the side's invariants against the book's open orders; return its live count."""
        check(self.keys == sorted(self.keys), "price keys out of order")
        check(len(set(self.keys)) == len(self.keys), "duplicate price key")
        check(sorted(self.levels) == sorted(self.prices()), "levels and keys disagree")
        live_total = 0
        for price, level in self.levels.items():
            live = level.live()
            check(level.price == price, f"level {price} holds price {level.price}")
            check(bool(live), f"empty level {price} kept")
            check(level.count == len(live), f"level {price} count {level.count} != {len(live)}")
            check(level.tail is live[-1] and live[0].older is None, f"level {price} ends broken")
            total = sum(o.remaining for o in live)
            check(level.quantity == total, f"level {price} quantity {level.quantity} != {total}")
            sequences = [o.sequence for o in live]
            check(sequences == sorted(sequences), f"level {price} not in time order")
            for order in live:
                check(order.price == price and order.is_buy is self.is_buy, "order misplaced")
                check(index.get(order.order_id) is order, f"{order.order_id} not indexed")
                check(order.remaining > 0, "live order with nothing remaining")
            live_total += len(live)
        return live_total
