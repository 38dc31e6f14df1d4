"""``cqx block`` and ``cqx bidding``: block agreement deals (R-T3) and one-way biddings
(R-T11) at the exchange."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import click

from cqx_sdk.cli import arguments, invocation
from cqx_sdk.cli.arguments import UsageError
from cqx_sdk.cli.commands.market import trades_table
from cqx_sdk.cli.invocation import Invocation, leaf
from cqx_sdk.dates import SHANGHAI, shanghai_instant_us, shanghai_time, today_in_shanghai
from cqx_sdk.deal_views import Auction, BlockNegotiation
from cqx_sdk.matching_views import Side
from cqx_sdk.money import format_price


def negotiation_line(n: BlockNegotiation) -> str:
    """``block deal <id>: seller-1 sells 100,000 t CEA-2024 at 60.00 to buyer-2 — open, ...``."""
    verb = "sells" if n.proposer_side is Side.SELL else "buys"
    party = n.counterparty_account_id or "anyone"
    line = (
        f"block deal {n.negotiation_id}: {n.proposer_account_id} {verb} "
        f"{n.quantity_tonnes:,} t {n.instrument} at {format_price(n.price_fen)} "
        f"({'to' if verb == 'sells' else 'from'} {party}) — {n.status}"
    )
    if n.status == "open":
        line += f", terms confirmed by {n.confirmed_by_account_id}"
    if n.trade_id:
        line += f", trade {n.trade_id}"
    if n.withdrawn_by_account_id:
        line += f", withdrawn by {n.withdrawn_by_account_id}"
    return line


def auction_line(a: Auction) -> str:
    """``bidding <id>: seller-1 sells 1,000 t CEA-2024, reserve 60.00, bids 10:00–10:30 ...``."""
    verb = "sells" if a.side is Side.SELL else "buys"
    who = ", ".join(a.eligible_account_ids) or "anyone"
    line = (
        f"bidding {a.auction_id}: {a.initiator_account_id} {verb} {a.quantity_tonnes:,} t "
        f"{a.instrument}, reserve {format_price(a.reserve_price_fen)}, bids "
        f"{shanghai_time(a.window_start_us)}–{shanghai_time(a.window_end_us)[11:]} "
        f"from {who} — {a.status}, {a.bid_count} bid(s)"
    )
    if a.status == "closed":
        line += f", filled {a.filled_tonnes:,} t"
    return line


async def block_propose(run: Invocation) -> int:
    """``cqx block propose --account A --side S --instrument I --price P --quantity Q
    [--counterparty B]``."""
    a = run.args
    n = await run.client.matching.propose_block_trade(
        a.account_id,
        a.instrument,
        Side(a.side),
        a.price,
        a.quantity,
        counterparty=a.counterparty or "",
        request_id=run.request_id,
    )
    run.out.emit(n, negotiation_line(n))
    return 0


async def block_counter(run: Invocation) -> int:
    """``cqx block counter --account A --price P --quantity Q NEGOTIATION``."""
    a = run.args
    n = await run.client.matching.counter_block_trade(
        a.account_id, a.negotiation_id, a.price, a.quantity, request_id=run.request_id
    )
    run.out.emit(n, negotiation_line(n))
    return 0


async def block_accept(run: Invocation) -> int:
    """``cqx block accept --account A --price P --quantity Q NEGOTIATION``: the terms are
    repeated so that nobody accepts terms they have not seen."""
    a = run.args
    deal = await run.client.matching.accept_block_trade(
        a.account_id, a.negotiation_id, a.price, a.quantity, request_id=run.request_id
    )
    run.out.emit(deal, f"{negotiation_line(deal.negotiation)}\n{trades_table([deal.trade])}")
    return 0


async def block_withdraw(run: Invocation) -> int:
    """``cqx block withdraw --account A NEGOTIATION``."""
    a = run.args
    n = await run.client.matching.withdraw_block_trade(
        a.account_id, a.negotiation_id, request_id=run.request_id
    )
    run.out.emit(n, negotiation_line(n))
    return 0


async def block_show(run: Invocation) -> int:
    """``cqx block show NEGOTIATION``."""
    n = await run.client.matching.block_negotiation(run.args.negotiation_id)
    run.out.emit(n, negotiation_line(n))
    return 0


def bidding_window(args: SimpleNamespace) -> tuple[int, int]:
    """The window [start, end) in microseconds: ``--start`` (default now) on ``--date``
    (default today), to ``--end`` that day or ``--minutes`` after the start."""
    day = args.date or today_in_shanghai()
    if args.start is not None:
        start = shanghai_instant_us(day, args.start)
    elif args.date is None:
        now = datetime.now(SHANGHAI).replace(microsecond=0)
        start = shanghai_instant_us(day, now.time())
    else:
        raise UsageError("cqx bidding announce", "with --date, give --start too")
    if args.end is not None:
        end = shanghai_instant_us(day, args.end)
    else:
        end = start + int(timedelta(minutes=args.minutes) / timedelta(microseconds=1))
    if end <= start:
        raise UsageError("cqx bidding announce", "the window must end after it starts")
    return start, end


async def bidding_announce(run: Invocation) -> int:
    """``cqx bidding announce --account A --side S --instrument I --quantity Q --reserve P
    (--end T | --minutes N) [--start T] [--date D] [--eligible B ...]``."""
    a = run.args
    if a.more_eligible and not a.eligible:
        raise UsageError("cqx bidding announce", f"unexpected argument {a.more_eligible[0]!r}")
    start, end = bidding_window(a)
    auction = await run.client.matching.announce_bidding(
        a.account_id,
        a.instrument,
        Side(a.side),
        a.quantity,
        a.reserve,
        start,
        end,
        eligible=(*a.eligible, *a.more_eligible),
        request_id=run.request_id,
    )
    run.out.emit(auction, auction_line(auction))
    return 0


async def bidding_bid(run: Invocation) -> int:
    """``cqx bidding bid --account A --price P --quantity Q AUCTION``."""
    a = run.args
    bid = await run.client.matching.submit_bid(
        a.account_id, a.auction_id, a.price, a.quantity, request_id=run.request_id
    )
    run.out.emit(
        bid,
        f"bid {bid.bid_id} on {bid.auction_id}: {bid.quantity_tonnes:,} t at "
        f"{format_price(bid.price_fen)} (sealed until the close)",
    )
    return 0


async def bidding_close(run: Invocation) -> int:
    """``cqx bidding close AUCTION``: allocate once the window is over."""
    result = await run.client.matching.close_bidding(run.args.auction_id, request_id=run.request_id)
    text = f"{auction_line(result.auction)}\n{trades_table(list(result.trades))}"
    run.out.emit(result, text)
    return 0


async def bidding_show(run: Invocation) -> int:
    """``cqx bidding show AUCTION``."""
    auction = await run.client.matching.auction(run.args.auction_id)
    run.out.emit(auction, auction_line(auction))
    return 0


def _account() -> click.Option:
    return click.Option(
        ["--account", "account_id"], required=True, type=arguments.IDENTIFIER, metavar="ACCOUNT"
    )


def _terms() -> list[click.Parameter]:
    return [
        _account(),
        click.Option(["--price"], required=True, type=arguments.PRICE, help="CNY per tonne"),
        click.Option(["--quantity"], required=True, type=arguments.QUANTITY, help="tonnes"),
    ]


def _register_block(root: click.Group) -> None:
    group = invocation.group(root, "block", "block agreement deals (≥ 100,000 t, 13:00–15:00)")
    proposed = [
        *_terms(),
        click.Option(["--side"], required=True, type=arguments.SIDE),
        click.Option(["--instrument"], required=True),
        click.Option(
            ["--counterparty"],
            type=arguments.IDENTIFIER,
            help="the account addressed (none: anyone)",
        ),
    ]
    leaf(group, "propose", block_propose, proposed, mutating=True, help="quote a block deal")
    negotiation = click.Argument(["negotiation_id"], metavar="NEGOTIATION")
    countered = [*_terms(), negotiation]
    leaf(group, "counter", block_counter, countered, mutating=True, help="answer with new terms")
    leaf(
        group,
        "accept",
        block_accept,
        [*_terms(), negotiation],
        mutating=True,
        help="accept the terms (repeat them)",
    )
    withdrawn = [_account(), negotiation]
    leaf(group, "withdraw", block_withdraw, withdrawn, mutating=True, help="withdraw a quote")
    leaf(group, "show", block_show, [negotiation], help="one negotiation")


def _register_bidding(root: click.Group) -> None:
    group = invocation.group(root, "bidding", "one-way biddings (sealed bids, R-T11)")
    announced = [
        _account(),
        click.Option(
            ["--side"], required=True, type=arguments.SIDE, help="what the initiator does"
        ),
        click.Option(["--instrument"], required=True),
        click.Option(["--quantity"], required=True, type=arguments.QUANTITY, help="tonnes"),
        click.Option(["--reserve"], required=True, type=arguments.PRICE, help="CNY per tonne"),
        click.Option(["--date"], type=arguments.TRADING_DATE, help="yyyy-mm-dd (default today)"),
        click.Option(["--start"], type=arguments.TIME_OF_DAY, help="HH:MM[:SS] (default now)"),
        click.Option(["--end"], type=arguments.TIME_OF_DAY, help="HH:MM[:SS], Asia/Shanghai"),
        click.Option(["--minutes"], type=arguments.MINUTES, help="the window's length"),
        click.Option(
            ["--eligible"],
            multiple=True,
            type=arguments.IDENTIFIER,
            metavar="ACCOUNT [ACCOUNT ...]",
            help="who may bid (default: anyone); several after one flag, or the flag repeated",
        ),
        # The accounts after the first one of `--eligible a b c` (Click options take one).
        click.Argument(
            ["more_eligible"], nargs=-1, type=arguments.IDENTIFIER, metavar="", required=False
        ),
    ]
    leaf(
        group,
        "announce",
        bidding_announce,
        announced,
        mutating=True,
        help="announce a bidding",
        one_of=[("end", "minutes")],
    )
    auction = click.Argument(["auction_id"], metavar="AUCTION")
    leaf(group, "bid", bidding_bid, [*_terms(), auction], mutating=True, help="submit a sealed bid")
    closed = [auction]
    leaf(group, "close", bidding_close, closed, mutating=True, help="allocate after the window")
    leaf(group, "show", bidding_show, [auction], help="one bidding")


def register(root: click.Group) -> None:
    """Add ``block`` and ``bidding``."""
    _register_block(root)
    _register_bidding(root)
