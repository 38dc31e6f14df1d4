"""``trade_a_day()``: a simulated trading session against the running system (``make demo``).

Traders among the seeded Shanxi units place the orders of :mod:`cqx_local.demo_orders`; the
demo waits until every trade is settled and delivered in the registry, closes the day, and
prints the trades, the close (the VWAP of the day's trades, R-T9) and the positions of the
accounts that traded.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from cqx_local import demo_market as market
from cqx_local.demo_clients import DemoClients
from cqx_local.demo_orders import PlannedOrder, Trader, assign_sides, plan_orders
from cqx_local.demo_report import print_report
from cqx_sdk import Addresses, CqxApiError, CqxClient, Side, format_price
from cqx_sdk.exchange_status import InstrumentStatus
from cqx_sdk.matching_views import Trade
from cqx_sdk.profiles import DEFAULT_PKI_DIR

TRADERS = 24
WAIT_SECONDS = 60.0


def say(message: str) -> None:
    """One progress line."""
    print(f"demo: {message}", flush=True)


async def trade_a_day(addresses: Addresses | None = None, pki_dir: Path | None = None) -> int:
    """Trade a simulated day of CEA-2024 (addresses: ``CQX_<SERVICE>_ADDRESS`` or the
    defaults; credentials: ``pki_dir``, else ``$CQX_PKI_DIR``, else ``.run/pki``); 0 when
    done, 1 with one error line when CQX refused or could not be reached."""
    pki = pki_dir or Path(os.environ.get("CQX_PKI_DIR", "").strip() or DEFAULT_PKI_DIR)
    async with DemoClients(addresses or Addresses.from_env(), pki) as clients:
        try:
            await _session(clients)
        except CqxApiError as error:
            print(error.one_line(), flush=True)
            if error.reason in market.SESSION_REASONS:
                print(f"hint: {market.SESSION_HINT}", flush=True)
            if error.reason in market.DAY_CLOSED_REASONS:
                print(f"hint: {market.DAY_CLOSED_HINT}", flush=True)
            if error.reason == "BIDDING_WINDOW_NOT_OVER":
                print(f"hint: {market.BIDDING_OPEN_HINT}", flush=True)
            return 1
        except TimeoutError as error:
            print(f"error: {error}", flush=True)
            return 1
    return 0


async def _session(clients: DemoClients) -> None:
    client = clients.operator
    status = await ensure_open(client)
    traders = await ready_traders(clients, [u.account_id for u in market.covered_units()])
    before = {t.account_id: await _trading_tonnes(client, t.account_id) for t in traders}
    band = (status.listed_band.lower_fen, status.listed_band.upper_fen)
    planned = plan_orders(traders, status.reference_price_fen, band, status.fee_bps)
    say(
        f"{len(traders)} traders place {len(planned)} limit orders around "
        f"{format_price(status.reference_price_fen)} (band {format_price(band[0])}–"
        f"{format_price(band[1])})"
    )
    trade_ids = await place_all(clients, planned)
    trades = [
        t
        async for t in client.matching.list_trades(
            market.INSTRUMENT, trading_date=status.trading_date
        )
        if t.trade_id in trade_ids
    ]
    say(f"{len(trades)} trades; waiting until they are settled and delivered in the registry")
    await wait_until_delivered(client, trades, before)
    closed = await client.matching.close_trading_day(market.INSTRUMENT)
    await print_report(client, trades, closed)


async def ensure_open(client: CqxClient) -> InstrumentStatus:
    """The instrument's status, its trading day opened first if it is not open (with the
    carried close, or DOMAIN.md's 74.63 on its first day)."""
    try:
        status = await client.matching.instrument(market.INSTRUMENT)
    except CqxApiError as error:
        if error.code != "NOT_FOUND":
            raise
    else:
        if status.is_open:
            return status
    try:
        await client.matching.open_trading_day(market.INSTRUMENT)
    except CqxApiError as error:
        if error.reason != "PREVIOUS_CLOSE_REQUIRED":
            raise
        await client.matching.open_trading_day(market.INSTRUMENT, market.PREVIOUS_CLOSE_FEN)
    status = await client.matching.instrument(market.INSTRUMENT)
    say(f"opened {market.INSTRUMENT} for {status.trading_date}")
    return status


async def ready_traders(clients: DemoClients, account_ids: list[str]) -> list[Trader]:
    """The session's traders (the first :data:`TRADERS` units, half buying, half selling),
    once the exchange's risk ledger (fed through Kafka) knows what each may sell and spend."""
    chosen = account_ids[:TRADERS]
    sides = assign_sides(chosen)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        traders = [
            t for a in chosen if (t := await _trader(clients.member(a), a, sides[a])) is not None
        ]
        if len(traders) == len(chosen):
            return traders
        if time.monotonic() > deadline:
            raise TimeoutError(
                "the exchange does not show the seeded allowances and cash of every trader "
                f"after {WAIT_SECONDS:.0f} s; was `make run` seeded? see .run/logs/"
            )
        await asyncio.sleep(0.2)


async def _trader(client: CqxClient, account_id: str, side: Side) -> Trader | None:
    """The trader (asked as itself), or None while the exchange does not know what it needs
    to trade, or yet that the account is the member's."""
    try:
        risk = await client.matching.risk_balance(account_id)
    except CqxApiError as error:
        if error.code in ("NOT_FOUND", "PERMISSION_DENIED"):
            return None
        raise
    trader = Trader(account_id, side, risk.of(market.INSTRUMENT).free_tonnes, risk.free_cash_fen)
    ready = trader.free_tonnes > 0 if side is Side.SELL else trader.free_cash_fen > 0
    return trader if ready else None


async def place_all(clients: DemoClients, planned: list[PlannedOrder]) -> set[str]:
    """Each trader places its orders, in the plan's order (so the same plan trades the same
    way); the trade ids."""
    trade_ids: set[str] = set()
    refused: dict[str, int] = {}
    for order in planned:
        try:
            result = await clients.member(order.account_id).matching.place_order(
                order.account_id,
                market.INSTRUMENT,
                order.side,
                order.price_fen,
                order.quantity_tonnes,
                time_in_force=order.time_in_force,
            )
        except CqxApiError as error:
            if error.code != "FAILED_PRECONDITION" or error.reason in market.SESSION_REASONS:
                raise
            refused[error.reason or error.code] = refused.get(error.reason or error.code, 0) + 1
            continue
        trade_ids.update(fill.trade_id for fill in result.fills)
    if refused:
        say("refused: " + ", ".join(f"{n} × {why}" for why, n in sorted(refused.items())))
    return trade_ids


async def _trading_tonnes(client: CqxClient, account_id: str) -> int:
    held = await client.registry.holdings(account_id)
    return held.of(market.INSTRUMENT).trading_tonnes


async def wait_until_delivered(
    client: CqxClient, trades: list[Trade], before: dict[str, int]
) -> None:
    """Wait until the clearing house settled every trade and the registry's trading
    positions show them (seller − quantity, buyer + quantity)."""
    expected = dict(before)
    for t in trades:  # a trade with an account outside the demo's traders (someone's own
        # resting order) moves only the trader's side that the demo watches
        if t.seller_account_id in expected:
            expected[t.seller_account_id] -= t.quantity_tonnes
        if t.buyer_account_id in expected:
            expected[t.buyer_account_id] += t.quantity_tonnes
    started = time.monotonic()
    while True:
        now = {a: await _trading_tonnes(client, a) for a in expected}
        if now == expected:
            break
        if time.monotonic() - started > WAIT_SECONDS:
            unsettled = [
                t.trade_id
                for t in trades
                if (await client.settlement.trade_settlement(t.trade_id)).status != "settled"
            ]
            raise TimeoutError(
                f"the registry does not show every trade after {WAIT_SECONDS:.0f} s "
                f"(not settled: {', '.join(unsettled) or 'none'}); see .run/logs/"
            )
        await asyncio.sleep(0.2)
    say(f"every trade settled and delivered ({time.monotonic() - started:.1f} s)")
