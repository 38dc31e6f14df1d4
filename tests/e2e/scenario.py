"""One market day through the public API: issue → move to trading → deposit → cross → settle.

Every step carries a fixed request id, so running a step again (as a client retrying after a
crash would) never applies it twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cqx_local import LocalSystem
from cqx_sdk import AccountKind, Addresses, CqxApiError, CqxClient, ParticipantKind, Side

INSTRUMENT = "CEA-2024"
SELLER, BUYER, FEES = "e2e-seller", "e2e-buyer", "exchange-fees"
EXCHANGE = "e2e-exchange"  # the staff body that owns the fee account (R-A2)
ISSUED, TO_TRADING, TRADED = 10_000, 3_000, 1_000
SELL_PRICE, BUY_PRICE = 7_450, 7_500  # fen per tonne; the trade is at the maker's price
DEPOSIT = 100_000_000  # fen: 1,000,000.00 CNY
PREVIOUS_CLOSE = 7_463


def client_for(system: LocalSystem) -> CqxClient:
    """A client addressed at the system's services."""
    return CqxClient(
        Addresses(
            **{s: system.address(s) for s in ("registry", "allocation", "matching", "settlement")}
        )
    )


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 60.0) -> None:
    """Wait until ``check`` holds (effects cross services through Kafka)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the system did not get there"
        await asyncio.sleep(0.1)


async def open_market(client: CqxClient) -> None:
    """Participants and their accounts, the compliance year, the seller's allocation issued
    and seen in the registry."""
    for participant, kind in (
        (EXCHANGE, ParticipantKind.EXCHANGE),
        (SELLER, ParticipantKind.KEY_EMISSION_UNIT),
        (BUYER, ParticipantKind.INSTITUTION),
    ):
        await client.registry.register_participant(
            participant, kind, participant, request_id=f"s-member-{participant}"
        )
    await client.registry.open_account(
        FEES, AccountKind.EXCHANGE, "Exchange fees", EXCHANGE, request_id="s-fees"
    )
    await client.registry.open_account(SELLER, AccountKind.COVERED_ENTITY, "Seller power plant",
                                       SELLER, request_id="s-seller")  # fmt: skip
    await client.registry.open_account(
        BUYER, AccountKind.INSTITUTION, "Buyer fund", BUYER, request_id="s-buyer"
    )
    await client.allocation.open_compliance_year(2024, request_id="s-year")
    await client.allocation.register_entity(
        "seller-plant", SELLER, "Seller power plant", "power", "Shanxi", request_id="s-entity"
    )
    await client.allocation.set_allocation("seller-plant", 2024, ISSUED, request_id="s-set")
    await client.allocation.issue_allocation("seller-plant", 2024, request_id="s-issue")


async def fund_and_move(client: CqxClient) -> None:
    """Allowances into trading, cash into the clearing account, the day opened."""
    await eventually(lambda: _registry_has(client, SELLER, ISSUED))
    await client.registry.move_to_trading(SELLER, INSTRUMENT, TO_TRADING, request_id="s-move")
    await client.settlement.deposit(BUYER, DEPOSIT, request_id="s-deposit")
    await client.matching.open_trading_day(INSTRUMENT, PREVIOUS_CLOSE, request_id="s-day")
    await eventually(lambda: _exchange_knows(client))


async def cross(client: CqxClient) -> None:
    """A resting sell, then a buy that crosses it."""
    await client.matching.place_order(SELLER, INSTRUMENT, Side.SELL, SELL_PRICE, TRADED,
                                      request_id="s-sell")  # fmt: skip
    await client.matching.place_order(BUYER, INSTRUMENT, Side.BUY, BUY_PRICE, TRADED,
                                      request_id="s-buy")  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """What every user can see at the end."""

    seller_registry: int
    seller_trading: int
    buyer_trading: int
    seller_cash: int
    buyer_cash: int
    fee_cash: int
    fee_total: int
    registry_conserved: bool
    cash_conserved: bool


async def settled_outcome(client: CqxClient) -> Outcome:
    """Wait until the trade is settled in the registry, then read every position."""
    await eventually(lambda: _buyer_holds(client, TRADED))
    seller = (await client.registry.holdings(SELLER)).of(INSTRUMENT)
    buyer = (await client.registry.holdings(BUYER)).of(INSTRUMENT)
    trades = [t async for t in client.settlement.list_settlements()]
    assert len(trades) == 1, f"expected one settled trade, found {len(trades)}"
    return Outcome(
        seller_registry=seller.registry_tonnes,
        seller_trading=seller.trading_tonnes,
        buyer_trading=buyer.trading_tonnes,
        seller_cash=(await client.settlement.cash_balance(SELLER)).balance_fen,
        buyer_cash=(await client.settlement.cash_balance(BUYER)).balance_fen,
        fee_cash=(await client.settlement.cash_balance(FEES)).balance_fen,
        fee_total=trades[0].fee_fen,
        registry_conserved=(await client.registry.check_conservation(INSTRUMENT)).holds,
        cash_conserved=(await client.settlement.check_conservation()).holds,
    )


async def _registry_has(client: CqxClient, account: str, tonnes: int) -> bool:
    return (await client.registry.holdings(account)).of(INSTRUMENT).registry_tonnes == tonnes


async def _exchange_knows(client: CqxClient) -> bool:
    try:
        seller = await client.matching.risk_balance(SELLER)
        buyer = await client.matching.risk_balance(BUYER)
    except CqxApiError as error:  # the credits are still on their way through Kafka
        if error.reason == "ACCOUNT_NOT_FOUND":
            return False
        raise
    return seller.of(INSTRUMENT).free_tonnes == TO_TRADING and buyer.free_cash_fen == DEPOSIT


async def _buyer_holds(client: CqxClient, tonnes: int) -> bool:
    return (await client.registry.holdings(BUYER)).of(INSTRUMENT).trading_tonnes == tonnes
