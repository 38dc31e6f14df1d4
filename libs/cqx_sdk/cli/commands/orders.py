"""``cqx order``, ``cqx orders`` and ``cqx risk``: a trader's orders at the exchange."""

from __future__ import annotations

import argparse

from cqx_sdk.cli import arguments
from cqx_sdk.cli.arguments import CommandParser, UsageError
from cqx_sdk.cli.commands.cash import cny
from cqx_sdk.cli.invocation import Invocation, Parents, leaf
from cqx_sdk.cli.render import details, table
from cqx_sdk.errors import CqxApiError
from cqx_sdk.matching_views import Order, OrderResult, OrderType, Side, TimeInForce, TradingMode
from cqx_sdk.money import format_price


def order_line(o: Order) -> str:
    """``order <id>: buy 100 t CEA-2024 at 74.50 (limit day) — open, filled 0 t, ...``."""
    price = format_price(o.price_fen) if o.price_fen else "market"
    closed = f" ({o.close_reason})" if o.close_reason else ""
    return (
        f"order {o.order_id}: {o.side.value} {o.quantity_tonnes:,} t {o.instrument} at {price} "
        f"({o.order_type} {o.time_in_force}, {o.trading_mode.value}) — {o.status}{closed}, "
        f"filled {o.filled_tonnes:,} t, remaining {o.remaining_tonnes:,} t"
    )


def orders_table(orders: list[Order]) -> str:
    """Orders, one a row."""
    rows = [
        (
            o.order_id,
            o.instrument,
            o.side.value,
            format_price(o.price_fen),
            f"{o.quantity_tonnes:,}",
            f"{o.filled_tonnes:,}",
            f"{o.remaining_tonnes:,}",
            o.status,
            o.trading_date,
        )
        for o in orders
    ]
    headers = (
        "ORDER",
        "INSTRUMENT",
        "SIDE",
        "PRICE",
        "QTY t",
        "FILLED t",
        "REMAINING t",
        "STATUS",
        "DATE",
    )
    return table(headers, rows, empty="(no orders)")


def result_text(result: OrderResult) -> str:
    """The order, then what it traded on arrival."""
    text = order_line(result.order)
    if result.fills:
        rows = [
            (f.trade_id, format_price(f.price_fen), f"{f.quantity_tonnes:,}", cny(f.fee_fen))
            for f in result.fills
        ]
        text += "\n" + table(("TRADE", "PRICE", "QTY t", "FEE"), rows)
    return text


async def place(run: Invocation) -> int:
    """``cqx order place --account A --side buy --instrument I --price P --quantity Q``."""
    a = run.args
    if a.market == (a.price is not None):
        raise UsageError("cqx order place", "give either --price or --market")
    force = TimeInForce.IOC if a.ioc else TimeInForce.FOK if a.fok else TimeInForce.DAY
    result = await run.client.matching.place_order(
        a.account_id,
        a.instrument,
        Side(a.side),
        a.price or 0,
        a.quantity,
        time_in_force=force,
        post_only=a.post_only,
        order_type=OrderType.MARKET_TO_LIMIT if a.market else OrderType.LIMIT,
        trading_mode=TradingMode.LISTED if a.listed else TradingMode.CONTINUOUS,
        request_id=run.request_id,
    )
    run.out.emit(result, result_text(result))
    return 0


async def _of_instrument(run: Invocation, action: str) -> None:
    """With ``--instrument``, refuse (before anything is sent) unless the order is of it."""
    a = run.args
    if a.instrument:
        order = await run.client.matching.get_order(a.order_id)
        if order.instrument != a.instrument:
            raise CqxApiError(
                "FAILED_PRECONDITION",
                "INSTRUMENT_MISMATCH",
                f"order {a.order_id} is for {order.instrument}, not "
                f"{a.instrument}; nothing {action}",
                {},
            )


async def cancel(run: Invocation) -> int:
    """``cqx order cancel --account A [--instrument I] ORDER_ID``; with ``--instrument``,
    the order must be of that instrument (checked before cancelling)."""
    a = run.args
    await _of_instrument(run, "cancelled")
    order = await run.client.matching.cancel_order(
        a.account_id, a.order_id, request_id=run.request_id
    )
    run.out.emit(order, order_line(order))
    return 0


async def take(run: Invocation) -> int:
    """``cqx order take --account A --side S --instrument I --quantity Q [--maker ORDER_ID]
    [--limit P]``: listed agreement, trade at once at the maker's price (R-T7, R-T8)."""
    a = run.args
    result = await run.client.matching.take_listing(
        a.account_id,
        a.instrument,
        Side(a.side),
        a.quantity,
        maker_order_id=a.maker or "",
        limit_price_fen=a.limit or 0,
        request_id=run.request_id,
    )
    run.out.emit(result, result_text(result))
    return 0


async def reduce(run: Invocation) -> int:
    """``cqx order reduce --account A --quantity Q [--instrument I] ORDER_ID``: lower what
    remains (the order keeps its place in the queue)."""
    a = run.args
    await _of_instrument(run, "reduced")
    order = await run.client.matching.reduce_order(
        a.account_id, a.order_id, a.quantity, request_id=run.request_id
    )
    run.out.emit(order, order_line(order))
    return 0


async def replace(run: Invocation) -> int:
    """``cqx order replace --account A --price P --quantity Q [--instrument I] ORDER_ID``: new
    price and remaining quantity (the order goes to the back of the queue, and may trade)."""
    a = run.args
    await _of_instrument(run, "replaced")
    result = await run.client.matching.replace_order(
        a.account_id, a.order_id, a.price, a.quantity, request_id=run.request_id
    )
    run.out.emit(result, result_text(result))
    return 0


async def show(run: Invocation) -> int:
    """``cqx order show ORDER_ID``."""
    order = await run.client.matching.get_order(run.args.order_id)
    run.out.emit(order, order_line(order))
    return 0


async def list_orders(run: Invocation) -> int:
    """``cqx orders ACCOUNT [--instrument I] [--open]``."""
    a = run.args
    found = run.client.matching.list_orders(a.account_id, a.instrument or "", open_only=a.open)
    orders = [o async for o in found]
    run.out.emit(orders, orders_table(orders))
    return 0


async def risk(run: Invocation) -> int:
    """``cqx risk ACCOUNT``: what the account may spend and sell at the exchange."""
    r = await run.client.matching.risk_balance(run.args.account_id)
    text = details(
        [
            ("account", r.account_id),
            ("free cash", cny(r.free_cash_fen)),
            ("reserved cash", cny(r.reserved_cash_fen)),
        ]
    )
    rows = [
        (b.instrument, f"{b.free_tonnes:,}", f"{b.reserved_tonnes:,}", f"{b.pending_tonnes:,}")
        for b in r.allowances
    ]
    headers = ("INSTRUMENT", "FREE t", "RESERVED t", "BOUGHT TODAY t")
    run.out.emit(r, f"{text}\n\n{table(headers, rows, empty='(no allowances in trading)')}")
    return 0


def _place_arguments(p: CommandParser) -> None:
    p.add_argument("--account", dest="account_id", required=True, type=arguments.identifier)
    p.add_argument("--side", required=True, choices=["buy", "sell"])
    p.add_argument("--instrument", required=True)
    p.add_argument("--price", type=arguments.price, help="CNY per tonne, e.g. 74.50")
    p.add_argument("--quantity", required=True, type=arguments.quantity, help="tonnes")
    force = p.add_mutually_exclusive_group()
    force.add_argument("--ioc", action="store_true", help="immediate or cancel")
    force.add_argument("--fok", action="store_true", help="fill or kill")
    force.add_argument("--post-only", action="store_true", help="rest without trading")
    p.add_argument("--market", action="store_true", help="market-to-limit (no --price)")
    p.add_argument("--listed", action="store_true", help="post a listed-agreement listing")


def register(commands: argparse._SubParsersAction[CommandParser], parents: Parents) -> None:
    """Add ``order``, ``orders`` and ``risk``."""
    group = commands.add_parser(
        "order", help="place, take, reduce, replace, cancel or show an order"
    )
    sub = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = leaf(sub, "place", place, parents, mutating=True, help="place an order")
    _place_arguments(p)
    p = leaf(sub, "cancel", cancel, parents, mutating=True, help="cancel an open order")
    p.add_argument("--account", dest="account_id", required=True, type=arguments.identifier)
    p.add_argument("--instrument", help="refuse unless the order is of this instrument")
    p.add_argument("order_id", metavar="ORDER_ID")
    p = leaf(sub, "take", take, parents, mutating=True, help="take a listed-agreement listing")
    p.add_argument("--account", dest="account_id", required=True, type=arguments.identifier)
    p.add_argument("--side", required=True, choices=["buy", "sell"], help="what the taker does")
    p.add_argument("--instrument", required=True)
    p.add_argument("--quantity", required=True, type=arguments.quantity, help="tonnes")
    p.add_argument("--maker", metavar="ORDER_ID", help="the listing taken (default: the best)")
    p.add_argument("--limit", type=arguments.price, help="the worst price accepted, CNY")
    p = leaf(sub, "reduce", reduce, parents, mutating=True, help="lower what an order has left")
    p.add_argument("--account", dest="account_id", required=True, type=arguments.identifier)
    p.add_argument("--quantity", required=True, type=arguments.quantity, help="tonnes left")
    p.add_argument("--instrument", help="refuse unless the order is of this instrument")
    p.add_argument("order_id", metavar="ORDER_ID")
    p = leaf(sub, "replace", replace, parents, mutating=True, help="new price and quantity")
    p.add_argument("--account", dest="account_id", required=True, type=arguments.identifier)
    p.add_argument("--price", required=True, type=arguments.price, help="CNY per tonne")
    p.add_argument("--quantity", required=True, type=arguments.quantity, help="tonnes left")
    p.add_argument("--instrument", help="refuse unless the order is of this instrument")
    p.add_argument("order_id", metavar="ORDER_ID")
    p = leaf(sub, "show", show, parents, help="one order")
    p.add_argument("order_id", metavar="ORDER_ID")

    p = leaf(commands, "orders", list_orders, parents, help="an account's orders, oldest first")
    p.add_argument("account_id", metavar="ACCOUNT", type=arguments.identifier)
    p.add_argument("--instrument")
    p.add_argument("--open", action="store_true", help="only open orders")
    p = leaf(
        commands, "risk", risk, parents, help="what an account may spend and sell at the exchange"
    )
    p.add_argument("account_id", metavar="ACCOUNT", type=arguments.identifier)
