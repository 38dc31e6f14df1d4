"""What ``make demo`` prints at the end: the trades, the close and the traders' positions."""

from __future__ import annotations

from cqx_local import demo_market as market
from cqx_sdk import CqxClient, format_amount, format_price
from cqx_sdk.cli.book_view import statistics_line
from cqx_sdk.cli.commands.market import trades_table
from cqx_sdk.cli.render import table
from cqx_sdk.exchange_status import DayClose
from cqx_sdk.matching_views import Trade


async def print_report(client: CqxClient, trades: list[Trade], closed: DayClose) -> None:
    """Print the trades, the close (VWAP) and the positions of every account that traded."""
    print("\nTrades", flush=True)
    print(trades_table(trades))
    s = closed.statistics
    print(
        f"\nClose of {closed.instrument} on {s.trading_date}: {format_price(s.close_fen)} "
        "(the VWAP of the day's trades, R-T9)"
    )
    print(statistics_line(s))
    print(f"{closed.orders_expired:,} open orders expired at the close (R-T10)")
    print("\nPositions of the accounts that traded")
    print(await positions_table(client, trades))


def _flows(trades: list[Trade]) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Per account: tonnes bought, tonnes sold, and cash in (+) or out (−) with fees."""
    bought: dict[str, int] = {}
    sold: dict[str, int] = {}
    cash: dict[str, int] = {}
    for t in trades:
        value = t.price_fen * t.quantity_tonnes
        bought[t.buyer_account_id] = bought.get(t.buyer_account_id, 0) + t.quantity_tonnes
        sold[t.seller_account_id] = sold.get(t.seller_account_id, 0) + t.quantity_tonnes
        cash[t.buyer_account_id] = cash.get(t.buyer_account_id, 0) - value - t.buyer_fee_fen
        cash[t.seller_account_id] = cash.get(t.seller_account_id, 0) + value - t.seller_fee_fen
    return bought, sold, cash


async def positions_table(client: CqxClient, trades: list[Trade]) -> str:
    """Per account: bought, sold, the registry's holding parts now, and cash now."""
    bought, sold, flow = _flows(trades)
    rows = []
    for account_id in sorted(flow):
        held = (await client.registry.holdings(account_id)).of(market.INSTRUMENT)
        cash = await client.settlement.cash_balance(account_id)
        rows.append(
            (
                account_id,
                f"{bought.get(account_id, 0):,}",
                f"{sold.get(account_id, 0):,}",
                f"{held.registry_tonnes:,}",
                f"{held.trading_tonnes:,}",
                format_amount(flow[account_id]),
                format_amount(cash.balance_fen),
            )
        )
    headers = (
        "ACCOUNT",
        "BOUGHT t",
        "SOLD t",
        "REGISTRY t",
        "TRADING t",
        "CASH FLOW CNY",
        "CASH CNY",
    )
    return table(headers, rows, empty="(no account traded)")
