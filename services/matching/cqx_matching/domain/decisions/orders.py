"""Decisions on orders: the continuous book and the listed agreement book (R-T1, R-T2,
R-T5, R-T7, R-T8, R-T10).

The exchange checks what needs more than a book — session, band, quantity limit, funds —
then hands the command to the book. The continuous book matches in place (its events come
back already applied); the listed book only decides, and recording applies its events.
"""

from __future__ import annotations

from cqx_matching.domain.commands import (
    CancelOrder,
    PlaceOrder,
    PostListing,
    ReduceOrder,
    ReplaceOrder,
    TakeListing,
)
from cqx_matching.domain.events import OrderAccepted
from cqx_matching.domain.rules import (
    cover_problem,
    open_market,
    price_problem,
    quantity_problem,
)
from cqx_matching.domain.state import ExchangeState, InstrumentMarket
from cqx_matching.domain.vocabulary import (
    OrderType,
    Reason,
    Side,
    TimeInForce,
    TradingMode,
)

OrderCommand = PlaceOrder | PostListing | TakeListing | CancelOrder | ReduceOrder | ReplaceOrder
CONTINUOUS, LISTED = TradingMode.CONTINUOUS, TradingMode.LISTED


def _entry_problem(
    ex: ExchangeState, market: InstrumentMarket, c: PlaceOrder | PostListing, price: int | None
) -> str | None:
    """Why a new order may not enter a book: id, quantity (R-T1), price (R-T2), cover (R-T5)."""
    config = market.config
    if market.knows_order(c.order_id):
        return Reason.DUPLICATE_ID
    mode = LISTED if isinstance(c, PostListing) else CONTINUOUS
    problem = quantity_problem(config, mode, c.quantity)
    if problem is None and price is not None:
        problem = price_problem(config, mode, market.reference_price, price)
        buys = c.side is Side.BUY
        problem = problem or cover_problem(ex, market, c.account, buys, price, c.quantity)
    return problem


def place_order(ex: ExchangeState, c: PlaceOrder) -> str | None:
    """A continuous-book order: checked here, matched by the book."""
    market = open_market(ex, c.instrument, CONTINUOUS, c.at)
    if isinstance(market, str):
        return market
    price = c.price
    if c.order_type is OrderType.MARKET_TO_LIMIT and price is None:
        price = (market.continuous.asks if c.side is Side.BUY else market.continuous.bids).best()
    problem = _entry_problem(ex, market, c, price)
    if problem is not None:
        return problem
    ex.changing = True  # the book matches in place
    ex.record(market.continuous.place(c), applied=True)
    return None


def post_listing(ex: ExchangeState, c: PostListing) -> str | None:
    """A listed-agreement maker order (挂牌): it rests until taken, cancelled or expired."""
    market = open_market(ex, c.instrument, LISTED, c.at)
    if isinstance(market, str):
        return market
    problem = _entry_problem(ex, market, c, c.price)
    if problem is not None:
        return problem
    ex.record(
        [
            OrderAccepted(
                c.instrument, c.order_id, c.account, c.side, c.price, c.quantity, LISTED,
                OrderType.LIMIT, TimeInForce.DAY, False, c.at,
            )
        ]
    )  # fmt: skip
    return None


def take_listing(ex: ExchangeState, c: TakeListing) -> str | None:
    """A taker (摘牌) trades at once with the maker it names, or the best and oldest."""
    market = open_market(ex, c.instrument, LISTED, c.at)
    if isinstance(market, str):
        return market
    if market.knows_order(c.order_id):
        return Reason.DUPLICATE_ID
    problem = quantity_problem(market.config, LISTED, c.quantity)
    if problem is not None:
        return problem
    maker = market.listed.choose_maker(c, market.config.maker_levels)
    if isinstance(maker, str):
        return maker
    quantity = min(c.quantity, maker.remaining)
    buys = c.side is Side.BUY
    problem = cover_problem(ex, market, c.account, buys, maker.price, quantity)
    if problem is not None:
        return problem
    ex.record([market.listed.trade(c, maker, market.config.fee_bps)])
    return None


def cancel_order(ex: ExchangeState, c: CancelOrder) -> str | None:
    """Cancel an open order of either book; a filled one cannot be (R-T10)."""
    market = _amendable(ex, c)
    if isinstance(market, str):
        return market
    if market.book_holding(c.order_id) is market.continuous:
        ex.changing = True  # the book matches in place
        ex.record(market.continuous.cancel(c), applied=True)
    else:
        ex.record(market.listed.cancel(c))
    return None


def reduce_order(ex: ExchangeState, c: ReduceOrder) -> str | None:
    """Lower an open order's quantity; it keeps its place in the queue."""
    market = _amendable(ex, c)
    if isinstance(market, str):
        return market
    if market.book_holding(c.order_id) is market.continuous:
        ex.changing = True  # the book matches in place
        ex.record(market.continuous.reduce(c), applied=True)
    else:
        ex.record(market.listed.reduce(c))
    return None


def replace_order(ex: ExchangeState, c: ReplaceOrder) -> str | None:
    """Move an open order to a new price and quantity; it loses its place (and may trade)."""
    market = _amendable(ex, c, session=True)
    if isinstance(market, str):
        return market
    book = market.book_holding(c.order_id)
    order = book.open_order(c.order_id)
    if order is not None and order.account == c.account:
        held = ex.ledger.held((c.instrument, book.mode, c.order_id))
        config = market.config
        problem = quantity_problem(config, book.mode, c.quantity) or price_problem(
            config, book.mode, market.reference_price, c.price
        )
        problem = problem or cover_problem(
            ex, market, c.account, order.is_buy, c.price, c.quantity, held
        )
        if problem is not None:
            return problem
    if book is market.continuous:
        ex.changing = True  # the book matches in place
        ex.record(market.continuous.replace(c), applied=True)
    else:
        ex.record(market.listed.replace(c))
    return None


def _amendable(
    ex: ExchangeState, c: CancelOrder | ReduceOrder | ReplaceOrder, session: bool = False
) -> InstrumentMarket | str:
    """The market of an order to amend once the day is open (and the session, if asked)."""
    market = ex.markets.get(c.instrument)
    mode = market.book_holding(c.order_id).mode if market else CONTINUOUS
    return open_market(ex, c.instrument, mode, c.at, session=session)
