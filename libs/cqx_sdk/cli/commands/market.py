"""``cqx book``, ``cqx trades`` and ``cqx day``: the market and its trading day."""

from __future__ import annotations

import contextlib
import sys

import click

from cqx_sdk.cli import arguments, invocation
from cqx_sdk.cli.book_view import BookView, statistics_line
from cqx_sdk.cli.commands.cash import cny
from cqx_sdk.cli.invocation import Invocation, leaf
from cqx_sdk.cli.render import details, table
from cqx_sdk.dates import today_in_shanghai
from cqx_sdk.exchange_status import InstrumentStatus
from cqx_sdk.matching_views import PriceBand, Trade, TradingMode
from cqx_sdk.money import format_price

CLEAR_SCREEN = "\x1b[H\x1b[2J"


async def book(run: Invocation) -> int:
    """``cqx book INSTRUMENT [--watch] [--listed]``: one snapshot, or the live view (redrawn
    on each update until Ctrl-C, or ``--count`` updates; a skipped sequence number
    resubscribes for a fresh snapshot)."""
    a = run.args
    view = BookView(a.instrument, TradingMode.LISTED if a.listed else TradingMode.CONTINUOUS)
    redraw = a.watch and run.out.mode == "table" and sys.stdout.isatty()
    budget = a.count if a.watch else 1
    while True:
        async with contextlib.aclosing(
            run.client.matching.stream_market_data(a.instrument)
        ) as updates:
            async for update in updates:
                if not view.apply(update):
                    break  # a gap: subscribe again for a fresh snapshot
                text = (CLEAR_SCREEN if redraw else "") + view.text()
                if not a.watch:
                    run.out.emit(update, text)
                else:
                    run.out.emit_update(update, text if redraw else text + "\n")
                budget = budget - 1 if budget else None
                if budget == 0:
                    return 0
            else:
                return 0  # the server ended the stream


async def listings(run: Invocation) -> int:
    """``cqx listings INSTRUMENT [--depth N]``: the listed-agreement listings of the best
    price levels, with the order ids a taker names (``cqx order take --maker``)."""
    a = run.args
    listed = await run.client.matching.order_book(a.instrument, a.depth, TradingMode.LISTED)
    rows = [
        (x.order_id, x.side.value, format_price(x.price_fen), f"{x.quantity_tonnes:,}")
        for x in listed.listings
    ]
    headers = ("LISTING (ORDER)", "SIDE", "PRICE", "QTY t")
    run.out.emit(list(listed.listings), table(headers, rows, empty="(no listings)"))
    return 0


def trades_table(trades: list[Trade]) -> str:
    """Trades, one a row."""
    rows = [
        (
            t.trade_id,
            t.trading_mode.value,
            format_price(t.price_fen),
            f"{t.quantity_tonnes:,}",
            t.buyer_account_id,
            t.seller_account_id,
            t.aggressor.value,
        )
        for t in trades
    ]
    headers = ("TRADE", "MODE", "PRICE", "QTY t", "BUYER", "SELLER", "AGGRESSOR")
    return table(headers, rows, empty="(no trades)")


async def trades(run: Invocation) -> int:
    """``cqx trades INSTRUMENT [--date D] [--account A] [--last N]``: the most recent trades
    (of today, Asia/Shanghai, unless a date is given), oldest first."""
    a = run.args
    found = run.client.matching.list_trades(
        a.instrument, account_id=a.account_id or "", trading_date=a.date or today_in_shanghai()
    )
    recent = [t async for t in found][-a.last :]
    run.out.emit(recent, trades_table(recent))
    return 0


async def executions(run: Invocation) -> int:
    """``cqx executions ACCOUNT [--count N]``: the account's fills as they happen."""
    shown = 0
    async with contextlib.aclosing(
        run.client.matching.stream_executions(run.args.account_id)
    ) as fills:
        async for e in fills:
            run.out.emit_update(
                e,
                f"{e.trade_id}: {e.side.value} {e.quantity_tonnes:,} t "
                f"{e.instrument} at {format_price(e.price_fen)}, fee "
                f"{cny(e.fee_fen)} (order {e.order_id})",
            )
            shown += 1
            if run.args.count and shown >= run.args.count:
                break
    return 0


def _band(band: PriceBand) -> str:
    return f"{format_price(band.lower_fen)}–{format_price(band.upper_fen)}"


async def day_open(run: Invocation) -> int:
    """``cqx day open INSTRUMENT --previous-close P [--date D]``."""
    a = run.args
    day = await run.client.matching.open_trading_day(
        a.instrument, a.previous_close or 0, trading_date=a.date, request_id=run.request_id
    )
    run.out.emit(
        day,
        f"{day.instrument} open for {day.trading_date}: previous close "
        f"{format_price(day.previous_close_fen)}, listed band "
        f"{_band(day.listed_band)}, block band {_band(day.block_band)}",
    )
    return 0


async def day_close(run: Invocation) -> int:
    """``cqx day close INSTRUMENT``."""
    closed = await run.client.matching.close_trading_day(
        run.args.instrument, request_id=run.request_id
    )
    tail = "; the exchange's day is over" if closed.exchange_day_closed else ""
    run.out.emit(
        closed,
        f"{closed.instrument} closed: {statistics_line(closed.statistics)}; "
        f"{closed.orders_expired:,} open orders expired{tail}",
    )
    return 0


def instrument_text(i: InstrumentStatus) -> str:
    """An instrument's status block."""
    return details(
        [
            ("instrument", i.instrument),
            ("day", f"{i.day_status} ({i.trading_date or '-'})"),
            ("reference price", format_price(i.reference_price_fen)),
            ("listed band", _band(i.listed_band)),
            ("block band", _band(i.block_band)),
            ("fee", f"{i.fee_bps} bp"),
            ("tick", cny(i.tick_fen)),
            ("modes", ", ".join(m.value for m in i.modes) or "-"),
            ("today", statistics_line(i.statistics)),
        ]
    )


async def day_show(run: Invocation) -> int:
    """``cqx day show INSTRUMENT``."""
    status = await run.client.matching.instrument(run.args.instrument)
    run.out.emit(status, instrument_text(status))
    return 0


def register(root: click.Group) -> None:
    """Add ``book``, ``listings``, ``trades``, ``executions`` and ``day``."""
    instrument = click.Argument(["instrument"], metavar="INSTRUMENT")
    watched = [
        instrument,
        click.Option(["--watch"], is_flag=True, help="keep the view live until Ctrl-C"),
        click.Option(["--listed"], is_flag=True, help="the listed-agreement book"),
        click.Option(
            ["--count"], type=arguments.QUANTITY, help="with --watch: stop after N updates"
        ),
    ]
    leaf(root, "book", book, watched, help="an instrument's depth (live with --watch)")
    depth = click.Option(
        ["--depth"], type=arguments.QUANTITY, default=5, help="price levels (default 5)"
    )
    listed = [instrument, depth]
    leaf(root, "listings", listings, listed, help="listed-agreement listings a taker may name")
    traded = [
        instrument,
        click.Option(["--date"], type=arguments.TRADING_DATE, help="yyyy-mm-dd (default: today)"),
        click.Option(["--account", "account_id"], type=arguments.IDENTIFIER, metavar="ACCOUNT"),
        click.Option(["--last"], type=arguments.QUANTITY, default=20, help="how many (default 20)"),
    ]
    leaf(root, "trades", trades, traded, help="an instrument's recent trades")
    filled = [
        click.Argument(["account_id"], metavar="ACCOUNT", type=arguments.IDENTIFIER),
        click.Option(["--count"], type=arguments.QUANTITY, help="stop after N fills"),
    ]
    leaf(root, "executions", executions, filled, help="an account's fills, live until Ctrl-C")

    group = invocation.group(root, "day", "operator: open, close or show a trading day")
    opened = [
        instrument,
        click.Option(
            ["--previous-close"],
            type=arguments.PRICE,
            help="CNY per tonne (default: the close carried from the last day)",
        ),
        click.Option(["--date"], type=arguments.TRADING_DATE, help="yyyy-mm-dd (default: today)"),
    ]
    leaf(group, "open", day_open, opened, mutating=True, help="open today's trading day")
    leaf(group, "close", day_close, [instrument], mutating=True, help="close the trading day")
    leaf(group, "show", day_show, [instrument], help="an instrument's day, bands and figures")
