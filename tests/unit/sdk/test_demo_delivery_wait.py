"""`make demo` waits for the registry to show its trades; a trade with an account outside the
demo's traders (someone's own resting order) must not end the demo in a traceback."""

from __future__ import annotations

from dataclasses import dataclass

from cqx_local import demo_market as market
from cqx_local import demo_session
from cqx_sdk import Side, TradingMode
from cqx_sdk.matching_views import Trade


@dataclass
class Held:
    trading_tonnes: int


@dataclass
class Holdings:
    tonnes: int

    def of(self, instrument: str) -> Held:
        assert instrument == market.INSTRUMENT
        return Held(self.tonnes)


class Registry:
    """The registry as it stands after the trades were delivered."""

    def __init__(self, trading: dict[str, int]) -> None:
        self.trading = trading

    async def holdings(self, account_id: str) -> Holdings:
        return Holdings(self.trading[account_id])


class Client:
    def __init__(self, trading: dict[str, int]) -> None:
        self.registry = Registry(trading)


def trade(seller: str, buyer: str, tonnes: int) -> Trade:
    return Trade(
        "T-1", market.INSTRUMENT, TradingMode.CONTINUOUS, 7_463, tonnes, buyer, seller,
        "b-1", "s-1", Side.BUY, 0, 0, "2026-12-08", 0,
    )  # fmt: skip


async def test_a_trade_with_an_outsider_moves_only_the_traders_side() -> None:
    before = {"shanxi-001": 1_000}
    after = {"shanxi-001": 1_100, "someone-else": 0}  # bought 100 t from an outsider's order
    client = Client(after)
    await demo_session.wait_until_delivered(
        client,  # type: ignore[arg-type]
        [trade("someone-else", "shanxi-001", 100)],
        before,
    )
