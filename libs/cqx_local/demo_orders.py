"""The demo session's orders: deterministic-random limit orders around the previous close.

Pure: the same inputs give the same orders. Half the traders buy and half sell for the day
(so no one trades with itself); prices follow a slow random walk inside the listed band
(R-T2), buyers bidding a little under it and sellers asking a little over it, so that some
orders cross and trade. Sells never exceed what a seller may sell, and buys never commit more
cash than a buyer has free (fees included, R-T5).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from cqx_sdk import Side, TimeInForce

SESSION_SEED = 20250716  # the national market's fourth anniversary
ORDER_COUNT = 160
IOC_PERCENT = 15
LOT_TONNES = 100


@dataclass(frozen=True)
class Trader:
    """A demo trader: what it may sell of the instrument and spend, at the session's start."""

    account_id: str
    side: Side
    free_tonnes: int
    free_cash_fen: int


@dataclass(frozen=True)
class PlannedOrder:
    """One limit order the demo places."""

    account_id: str
    side: Side
    price_fen: int
    quantity_tonnes: int
    time_in_force: TimeInForce


def buy_cost_fen(price_fen: int, quantity: int, fee_bps: int) -> int:
    """What a buy reserves: price × quantity plus the fee, rounded up to the fen."""
    value = price_fen * quantity
    return value + -(-value * fee_bps // 10_000)


def assign_sides(account_ids: Sequence[str], seed: int = SESSION_SEED) -> dict[str, Side]:
    """Half the traders buy, half sell, for the whole day."""
    shuffled = list(account_ids)
    random.Random(seed).shuffle(shuffled)
    return {a: Side.BUY if i % 2 == 0 else Side.SELL for i, a in enumerate(shuffled)}


class _Budget:
    """What each trader has left to sell and to spend as orders are planned."""

    def __init__(self, traders: Sequence[Trader], fee_bps: int) -> None:
        self.tonnes = {t.account_id: t.free_tonnes for t in traders}
        self.cash = {t.account_id: t.free_cash_fen for t in traders}
        self.fee_bps = fee_bps

    def take(self, trader: Trader, price_fen: int, quantity: int) -> int:
        """The part of ``quantity`` (whole lots) the trader can still afford or deliver."""
        account = trader.account_id
        if trader.side is Side.SELL:
            quantity = min(quantity, self.tonnes[account])
            self.tonnes[account] -= quantity
            return quantity
        while quantity and buy_cost_fen(price_fen, quantity, self.fee_bps) > self.cash[account]:
            quantity -= LOT_TONNES
        self.cash[account] -= buy_cost_fen(price_fen, quantity, self.fee_bps)
        return quantity


def plan_orders(
    traders: Sequence[Trader],
    reference_fen: int,
    band: tuple[int, int],
    fee_bps: int,
    *,
    count: int = ORDER_COUNT,
    seed: int = SESSION_SEED,
) -> list[PlannedOrder]:
    """``count`` orders (fewer if traders run out of quantity or cash)."""
    rng = random.Random(seed)
    lower, upper = band
    budget = _Budget(traders, fee_bps)
    mid = reference_fen
    orders: list[PlannedOrder] = []
    for _ in range(count):
        mid = min(max(mid + rng.randint(-6, 6), lower + 100), upper - 100)
        trader = rng.choice(traders)
        offset = rng.randint(-60, 25) if trader.side is Side.BUY else rng.randint(-25, 60)
        price = min(max(mid + offset, lower), upper)
        wanted = rng.randint(1, 30) * LOT_TONNES
        force = TimeInForce.IOC if rng.randrange(100) < IOC_PERCENT else TimeInForce.DAY
        quantity = budget.take(trader, price, wanted)
        if quantity > 0:
            orders.append(PlannedOrder(trader.account_id, trader.side, price, quantity, force))
    return orders
