"""``cqx deposit``, ``withdraw``, ``cash`` and ``settlement``: the clearing house."""

from __future__ import annotations

import click

from cqx_sdk.cli import arguments, invocation
from cqx_sdk.cli.invocation import Invocation, leaf
from cqx_sdk.cli.render import details, table
from cqx_sdk.dates import today_in_shanghai
from cqx_sdk.money import format_amount, format_price
from cqx_sdk.settlement_views import SettlementDay, TradeSettlement


def cny(fen: int) -> str:
    """Fen as ``1,234.56 CNY``."""
    return f"{format_amount(fen)} CNY"


async def deposit(run: Invocation) -> int:
    """``cqx deposit ACCOUNT AMOUNT_CNY``."""
    a = run.args
    done = await run.client.settlement.deposit(a.account_id, a.amount, request_id=run.request_id)
    run.out.emit(
        done,
        f"deposited {cny(done.amount_fen)} to {done.account_id}; balance "
        f"{cny(done.balance_fen)} (deposit {done.deposit_id})",
    )
    return 0


async def withdraw(run: Invocation) -> int:
    """``cqx withdraw ACCOUNT AMOUNT_CNY``: a withdrawal request, pending the exchange."""
    a = run.args
    w = await run.client.settlement.request_withdrawal(
        a.account_id, a.amount, request_id=run.request_id
    )
    run.out.emit(
        w, f"withdrawal {w.withdrawal_id} of {cny(w.amount_fen)} from {w.account_id}: {w.status}"
    )
    return 0


async def cash(run: Invocation) -> int:
    """``cqx cash ACCOUNT``."""
    b = await run.client.settlement.cash_balance(run.args.account_id)
    text = details(
        [
            ("account", b.account_id),
            ("balance", cny(b.balance_fen)),
            ("pending withdrawals", cny(b.pending_withdrawals_fen)),
            ("available", cny(b.available_fen)),
        ]
    )
    run.out.emit(b, text)
    return 0


def day_text(day: SettlementDay) -> str:
    """A settlement day's figures, its exchange volumes and its breaks."""
    volumes = ", ".join(f"{i} {t:,} t" for i, t in sorted(day.exchange_volumes.items()))
    text = details(
        [
            ("trading date", day.trading_date),
            ("status", day.status),
            ("trades settled", f"{day.trades_settled:,}"),
            ("trades failed", f"{day.trades_failed:,}"),
            ("tonnes delivered", f"{day.tonnes_delivered:,}"),
            ("cash moved", cny(day.cash_moved_fen)),
            ("fees", cny(day.fees_fen)),
            ("exchange reported", volumes or "-"),
        ]
    )
    if day.breaks:
        rows = [
            (b.account_id or "-", b.instrument or "-", f"{b.expected:,}", f"{b.actual:,}", b.detail)
            for b in day.breaks
        ]
        text += "\n\nreconciliation breaks:\n"
        text += table(("ACCOUNT", "INSTRUMENT", "EXPECTED", "ACTUAL", "DETAIL"), rows)
    return text


async def settlement_status(run: Invocation) -> int:
    """``cqx settlement status [DATE]`` (default: today in Asia/Shanghai)."""
    day = await run.client.settlement.settlement_day(run.args.date or today_in_shanghai())
    run.out.emit(day, day_text(day))
    return 0


def settlement_text(s: TradeSettlement) -> str:
    """A trade's settlement and its legs."""
    text = details(
        [
            ("trade", s.trade_id),
            ("status", s.status + (f" ({s.failure_reason})" if s.failure_reason else "")),
            ("instrument", s.instrument or "-"),
            ("trading date", s.trading_date or "-"),
            ("price", format_price(s.price_fen)),
            ("quantity", f"{s.quantity_tonnes:,} t"),
            ("buyer", s.buyer_account_id or "-"),
            ("seller", s.seller_account_id or "-"),
            ("buyer paid", cny(s.buyer_paid_fen)),
            ("seller received", cny(s.seller_received_fen)),
            ("fees", cny(s.fee_fen)),
        ]
    )
    if s.legs:
        rows = [
            (
                leg.kind,
                leg.from_account_id,
                leg.to_account_id,
                f"{leg.quantity_tonnes:,} t {leg.instrument}"
                if leg.kind == "allowance"
                else cny(leg.amount_fen),
            )
            for leg in s.legs
        ]
        text += "\n\n" + table(("LEG", "FROM", "TO", "AMOUNT"), rows)
    return text


async def settlement_trade(run: Invocation) -> int:
    """``cqx settlement trade TRADE_ID``."""
    s = await run.client.settlement.trade_settlement(run.args.trade_id)
    run.out.emit(s, settlement_text(s))
    return 0


def register(root: click.Group) -> None:
    """Add ``deposit``, ``withdraw``, ``cash`` and ``settlement``."""
    for name, handler, text in (
        ("deposit", deposit, "operator: deposit cash (CNY, e.g. 1000000.00) for an account"),
        ("withdraw", withdraw, "ask to withdraw cash (CNY); pending until the exchange approves"),
    ):
        moved = [
            click.Argument(["account_id"], metavar="ACCOUNT", type=arguments.IDENTIFIER),
            click.Argument(["amount"], metavar="AMOUNT_CNY", type=arguments.AMOUNT),
        ]
        leaf(root, name, handler, moved, mutating=True, help=text)
    account_id = click.Argument(["account_id"], metavar="ACCOUNT", type=arguments.IDENTIFIER)
    leaf(root, "cash", cash, [account_id], help="an account's cash balance")

    group = invocation.group(root, "settlement", "settlement days and settled trades")
    leaf(
        group,
        "status",
        settlement_status,
        [click.Argument(["date"], metavar="DATE", required=False, type=arguments.TRADING_DATE)],
        help="a settlement day (default: today, Asia/Shanghai)",
    )
    leaf(
        group,
        "trade",
        settlement_trade,
        [click.Argument(["trade_id"], metavar="TRADE_ID")],
        help="how one trade settled",
    )
