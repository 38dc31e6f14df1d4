"""``cqx order``, ``cqx orders`` and ``cqx risk``: a trader's orders at the exchange."""

from __future__ import annotations

import click

from cqx_sdk.cli import arguments, invocation
from cqx_sdk.cli.arguments import UsageError
from cqx_sdk.cli.commands.cash import cny
from cqx_sdk.cli.invocation import Invocation, leaf
from cqx_sdk.cli.render import details, table
from cqx_sdk.errors import CqxApiError
from cqx_sdk.matching_views import Order, OrderResult, OrderType, Side, TimeInForce, TradingMode
from cqx_sdk.money import format_price


def order_line(o: Order) -> str:
    """``order <id>: buy 100 t CEA-2024 at 74.50 (limit day) — open, filled 0 t, ...``."""
    price = format_price(o.price_fen) if o.price_fen else "market"
    closed = f" ({o.close_reason})" if o.close_reason else ""
    cancelled = f", cancelled {o.cancelled_tonnes:,} t" if o.cancelled_tonnes else ""
    return (
        f"order {o.order_id}: {o.side.value} {o.quantity_tonnes:,} t {o.instrument} at {price} "
        f"({o.order_type} {o.time_in_force}, {o.trading_mode.value}) — {o.status}{closed}, "
        f"filled {o.filled_tonnes:,} t, remaining {o.remaining_tonnes:,} t{cancelled}"
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
    said = f"cancelled {order.cancelled_tonnes:,} t of order {order.order_id}"
    run.out.emit(order, f"{said} ({order.filled_tonnes:,} t had filled)\n{order_line(order)}")
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


def _account() -> click.Option:
    return click.Option(
        ["--account", "account_id"], required=True, type=arguments.IDENTIFIER, metavar="ACCOUNT"
    )


def _order_id() -> click.Argument:
    return click.Argument(["order_id"], metavar="ORDER_ID")


def _of_instrument_option() -> click.Option:
    return click.Option(["--instrument"], help="refuse unless the order is of this instrument")


def _quantity(help: str = "tonnes") -> click.Option:
    return click.Option(["--quantity"], required=True, type=arguments.QUANTITY, help=help)


def _place_arguments() -> list[click.Parameter]:
    return [
        _account(),
        click.Option(["--side"], required=True, type=arguments.SIDE),
        click.Option(["--instrument"], required=True),
        click.Option(["--price"], type=arguments.PRICE, help="CNY per tonne, e.g. 74.50"),
        _quantity(),
        click.Option(["--ioc"], is_flag=True, help="immediate or cancel"),
        click.Option(["--fok"], is_flag=True, help="fill or kill"),
        click.Option(["--post-only"], is_flag=True, help="rest without trading"),
        click.Option(["--market"], is_flag=True, help="market-to-limit (no --price)"),
        click.Option(["--listed"], is_flag=True, help="post a listed-agreement listing"),
    ]


def register(root: click.Group) -> None:
    """Add ``order``, ``orders`` and ``risk``."""
    group = invocation.group(root, "order", "place, take, reduce, replace, cancel or show an order")
    leaf(
        group,
        "place",
        place,
        _place_arguments(),
        mutating=True,
        help="place an order",
        exclusive=[("ioc", "fok", "post_only")],
    )
    cancelled = [_account(), _of_instrument_option(), _order_id()]
    leaf(group, "cancel", cancel, cancelled, mutating=True, help="cancel an open order")
    taken = [
        _account(),
        click.Option(["--side"], required=True, type=arguments.SIDE, help="what the taker does"),
        click.Option(["--instrument"], required=True),
        _quantity(),
        click.Option(["--maker"], metavar="ORDER_ID", help="the listing taken (default: the best)"),
        click.Option(["--limit"], type=arguments.PRICE, help="the worst price accepted, CNY"),
    ]
    leaf(group, "take", take, taken, mutating=True, help="take a listed-agreement listing")
    reduced = [_account(), _quantity("tonnes left"), _of_instrument_option(), _order_id()]
    leaf(group, "reduce", reduce, reduced, mutating=True, help="lower what an order has left")
    replaced = [
        _account(),
        click.Option(["--price"], required=True, type=arguments.PRICE, help="CNY per tonne"),
        _quantity("tonnes left"),
        _of_instrument_option(),
        _order_id(),
    ]
    leaf(group, "replace", replace, replaced, mutating=True, help="new price and quantity")
    leaf(group, "show", show, [_order_id()], help="one order")

    listed = [
        click.Argument(["account_id"], metavar="ACCOUNT", type=arguments.IDENTIFIER),
        click.Option(["--instrument"]),
        click.Option(["--open"], is_flag=True, help="only open orders"),
    ]
    leaf(root, "orders", list_orders, listed, help="an account's orders, oldest first")
    leaf(
        root,
        "risk",
        risk,
        [click.Argument(["account_id"], metavar="ACCOUNT", type=arguments.IDENTIFIER)],
        help="what an account may spend and sell at the exchange",
    )
