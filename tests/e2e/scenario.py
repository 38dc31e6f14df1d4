"""One market day through the public API: issue → move to trading → deposit → cross → settle.

Each step is made by the principal that would make it: the operator registers the
participants, opens their accounts, issues, deposits and opens the day; each member moves and
trades on its own account only and reads its own positions; the auditor reads the fees, the
settlements and the conservation checks. Every step carries a fixed request id, so running a
step again (as a client retrying after a crash would) never applies it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from cqx_identity import TlsFiles
from cqx_local import LocalSystem
from cqx_sdk import AccountKind, Addresses, CqxApiError, CqxClient, ParticipantKind, Side
from tests.support import pki

INSTRUMENT = "CEA-2024"
SELLER, BUYER, FEES = "e2e-seller", "e2e-buyer", "exchange-fees"
EXCHANGE = "e2e-exchange"  # the staff body that owns the fee account (R-A2)
ISSUED, TO_TRADING, TRADED = 10_000, 3_000, 1_000
SELL_PRICE, BUY_PRICE = 7_450, 7_500  # fen per tonne; the trade is at the maker's price
DEPOSIT = 100_000_000  # fen: 1,000,000.00 CNY
PREVIOUS_CLOSE = 7_463
# What a member's call on matching answers until the registry's AccountOpened (owner) and
# MovedToTrading / the deposit (credits) have reached it through Kafka.
NOT_THERE_YET = ("NOT_YOUR_ACCOUNT", "ACCOUNT_NOT_FOUND")


def client_for(system: LocalSystem, credentials: TlsFiles) -> CqxClient:
    """A client addressed at the system's services, calling as ``credentials``' principal."""
    addresses = Addresses(
        **{s: system.address(s) for s in ("registry", "allocation", "matching", "settlement")}
    )
    return CqxClient(addresses, credentials)


@dataclass(frozen=True)
class Market:
    """A client per principal of the day."""

    operator: CqxClient
    auditor: CqxClient
    seller: CqxClient  # the member of participant e2e-seller
    buyer: CqxClient  # the member of participant e2e-buyer


@contextlib.asynccontextmanager
async def market(system: LocalSystem) -> AsyncIterator[Market]:
    """The day's clients, closed afterwards (the system serves the tests' authority)."""
    assert system.pki_dir == pki.pki_dir(), "the system must serve the tests' authority"
    async with contextlib.AsyncExitStack() as stack:
        opened = [
            await stack.enter_async_context(client_for(system, files))
            for files in (pki.operator(), pki.auditor(), pki.member(SELLER), pki.member(BUYER))
        ]
        yield Market(*opened)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 60.0) -> None:
    """Wait until ``check`` holds (effects cross services through Kafka)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the system did not get there"
        await asyncio.sleep(0.1)


async def open_market(day: Market) -> None:
    """The operator's work: participants and their accounts, the compliance year, the
    seller's allocation issued; then the seller sees it in its registry account."""
    ops = day.operator
    for participant, kind in (
        (EXCHANGE, ParticipantKind.EXCHANGE),
        (SELLER, ParticipantKind.KEY_EMISSION_UNIT),
        (BUYER, ParticipantKind.INSTITUTION),
    ):
        await ops.registry.register_participant(
            participant, kind, participant, request_id=f"s-member-{participant}"
        )
    await ops.registry.open_account(
        FEES, AccountKind.EXCHANGE, "Exchange fees", EXCHANGE, request_id="s-fees"
    )
    await ops.registry.open_account(SELLER, AccountKind.COVERED_ENTITY, "Seller power plant",
                                    SELLER, request_id="s-seller")  # fmt: skip
    await ops.registry.open_account(
        BUYER, AccountKind.INSTITUTION, "Buyer fund", BUYER, request_id="s-buyer"
    )
    await ops.allocation.open_compliance_year(2024, request_id="s-year")
    await ops.allocation.register_entity(
        "seller-plant", SELLER, "Seller power plant", "power", "Shanxi", request_id="s-entity"
    )
    await ops.allocation.set_allocation("seller-plant", 2024, ISSUED, request_id="s-set")
    await ops.allocation.issue_allocation("seller-plant", 2024, request_id="s-issue")


async def fund_and_move(day: Market) -> None:
    """The seller moves allowances into trading, the operator deposits the buyer's cash and
    opens the day; both members wait until the exchange shows them their own balances."""
    await eventually(lambda: _registry_has(day.seller, SELLER, ISSUED))
    await day.seller.registry.move_to_trading(SELLER, INSTRUMENT, TO_TRADING, request_id="s-move")
    await day.operator.settlement.deposit(BUYER, DEPOSIT, request_id="s-deposit")
    await day.operator.matching.open_trading_day(INSTRUMENT, PREVIOUS_CLOSE, request_id="s-day")
    await eventually(lambda: _exchange_shows(day))


async def cross(day: Market) -> None:
    """A resting sell from the seller, then a buy from the buyer that crosses it."""
    await day.seller.matching.place_order(SELLER, INSTRUMENT, Side.SELL, SELL_PRICE, TRADED,
                                          request_id="s-sell")  # fmt: skip
    await day.buyer.matching.place_order(BUYER, INSTRUMENT, Side.BUY, BUY_PRICE, TRADED,
                                         request_id="s-buy")  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """What every user can see at the end (each member its own, the auditor the rest)."""

    seller_registry: int
    seller_trading: int
    buyer_trading: int
    seller_cash: int
    buyer_cash: int
    fee_cash: int
    fee_total: int
    registry_conserved: bool
    cash_conserved: bool


async def settled_outcome(day: Market) -> Outcome:
    """Wait until the trade is settled in the registry, then read every position."""
    await eventually(lambda: _holds(day.buyer, BUYER, TRADED))
    seller = (await day.seller.registry.holdings(SELLER)).of(INSTRUMENT)
    buyer = (await day.buyer.registry.holdings(BUYER)).of(INSTRUMENT)
    audit = day.auditor
    trades = [t async for t in audit.settlement.list_settlements()]
    assert len(trades) == 1, f"expected one settled trade, found {len(trades)}"
    return Outcome(
        seller_registry=seller.registry_tonnes,
        seller_trading=seller.trading_tonnes,
        buyer_trading=buyer.trading_tonnes,
        seller_cash=await own_cash(day.seller, SELLER),
        buyer_cash=await own_cash(day.buyer, BUYER),
        fee_cash=(await audit.settlement.cash_balance(FEES)).balance_fen,
        fee_total=trades[0].fee_fen,
        registry_conserved=(await audit.registry.check_conservation(INSTRUMENT)).holds,
        cash_conserved=(await audit.settlement.check_conservation()).holds,
    )


async def own_cash(member: CqxClient, account: str) -> int:
    """A member's own cash at the clearing house, read as that member. A clearing house that
    restarted may not have caught up yet with the registry's news that the account is the
    member's (NOT_YOUR_ACCOUNT for a moment): the read waits for it."""
    found: list[int] = []

    async def read() -> bool:
        try:
            found.append((await member.settlement.cash_balance(account)).balance_fen)
        except CqxApiError as error:
            if error.reason != "NOT_YOUR_ACCOUNT":
                raise
            return False
        return True

    await eventually(read)
    return found[-1]


async def refusal(call: Awaitable[object]) -> tuple[str, str]:
    """The (code, reason) a call is refused with; AssertionError if it is not refused."""
    try:
        await call
    except CqxApiError as error:
        return error.code, error.reason
    raise AssertionError("the call was not refused")


async def _registry_has(member: CqxClient, account: str, tonnes: int) -> bool:
    return (await member.registry.holdings(account)).of(INSTRUMENT).registry_tonnes == tonnes


async def _exchange_shows(day: Market) -> bool:
    try:
        seller = await day.seller.matching.risk_balance(SELLER)
        buyer = await day.buyer.matching.risk_balance(BUYER)
    except CqxApiError as error:  # the owners and credits are still on their way
        if error.reason in NOT_THERE_YET:
            return False
        raise
    return seller.of(INSTRUMENT).free_tonnes == TO_TRADING and buyer.free_cash_fen == DEPOSIT


async def _holds(member: CqxClient, account: str, tonnes: int) -> bool:
    return (await member.registry.holdings(account)).of(INSTRUMENT).trading_tonnes == tonnes
