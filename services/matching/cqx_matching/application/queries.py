"""Answers to read requests, from the in-memory exchange and its read models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from cqx_matching.application.deal_views import AuctionView, DealHistory, NegotiationView
from cqx_matching.application.errors import MatchingNotFoundError, invalid
from cqx_matching.application.order_views import OrderHistory, OrderView, TradeRecord
from cqx_matching.domain import (
    DayClosed,
    DepthSnapshot,
    Exchange,
    InstrumentConfig,
    InstrumentMarket,
    PriceBand,
    Reason,
    Side,
    StatisticsSnapshot,
    TradingMode,
)
from cqx_matching.domain.market_data import depth, final_statistics, running_statistics
from cqx_service.paging import Window, token_at

MAX_DEPTH = 50
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listing:
    """One open listing a taker may name."""

    order_id: str
    side: Side
    price: int
    quantity: int


@dataclass(frozen=True, slots=True)
class AllowanceBalance:
    """An account's trading position in one instrument."""

    instrument: str
    free: int
    reserved: int
    pending: int


@dataclass(frozen=True, slots=True)
class RiskBalance:
    """What an account may spend and sell, and what its open orders hold back."""

    account: str
    free_cash: int
    reserved_cash: int
    allowances: tuple[AllowanceBalance, ...]


@dataclass(frozen=True, slots=True)
class InstrumentStatus:
    """An instrument's configuration, day, reference price, bands and figures so far."""

    config: InstrumentConfig
    open: bool
    trading_date: date | None
    reference: int
    listed_band: PriceBand
    block_band: PriceBand
    statistics: StatisticsSnapshot
    closed: bool = False  # not open, and the statistics are the last closed day's final ones


def market(exchange: Exchange, instrument: str) -> InstrumentMarket:
    """The instrument's market, or NOT_FOUND ``UNKNOWN_INSTRUMENT``."""
    found = exchange.markets.get(instrument)
    if found is None:
        raise MatchingNotFoundError(
            f"{instrument} does not trade here", reason=Reason.UNKNOWN_INSTRUMENT,
            metadata={"instrument": instrument},
        )  # fmt: skip
    return found


def order(orders: OrderHistory, order_id: str) -> OrderView:
    """An order by id, or NOT_FOUND ``ORDER_NOT_FOUND``."""
    found = orders.orders.get(order_id)
    if found is None:
        raise MatchingNotFoundError(
            f"no order {order_id}", reason=Reason.ORDER_NOT_FOUND, metadata={"order_id": order_id}
        )
    return found


def _page(items: Sequence[T], page: Window, keep: Callable[[T], bool]) -> tuple[list[T], str]:
    found: list[T] = []
    index = page.start
    while index < len(items) and len(found) < page.size:
        if keep(items[index]):
            found.append(items[index])
        index += 1
    return found, token_at(index) if index < len(items) else ""


def orders_page(
    orders: OrderHistory, account: str, instrument: str, open_only: bool, page: Window
) -> tuple[list[OrderView], str]:
    """An account's orders, oldest first, optionally of one instrument or only open ones."""

    def keep(view: OrderView) -> bool:
        return (not instrument or view.instrument == instrument) and (not open_only or view.is_open)

    return _page(orders.by_account.get(account, []), page, keep)


def trades_page(
    orders: OrderHistory, instrument: str, account: str, trading_date: date | None, page: Window
) -> tuple[list[TradeRecord], str]:
    """An instrument's trades, oldest first, optionally of one account or one day."""

    def keep(record: TradeRecord) -> bool:
        trade = record.trade
        return (not account or account in (trade.buyer, trade.seller)) and (
            trading_date is None or record.trading_date == trading_date
        )

    return _page(orders.trades.get(instrument, []), page, keep)


def book(
    exchange: Exchange, instrument: str, levels: int, mode: TradingMode
) -> tuple[DepthSnapshot, list[Listing]]:
    """L2 depth of the continuous or listed book; for the listed book, its listings too."""
    if levels < 0:
        raise invalid("depth must not be negative", "DEPTH_NEGATIVE")
    if levels > MAX_DEPTH:
        raise invalid(f"depth is at most {MAX_DEPTH}", "DEPTH_TOO_LARGE")
    if mode not in (TradingMode.CONTINUOUS, TradingMode.LISTED):
        raise invalid("only the continuous and listed books have depth", "MODE_HAS_NO_BOOK")
    found = market(exchange, instrument)
    shown = depth(exchange, instrument, mode, levels or found.config.depth_levels)
    if mode is not TradingMode.LISTED:
        return shown, []
    listings = []
    for side, rows in ((Side.BUY, shown.bids), (Side.SELL, shown.asks)):
        book_side = found.listed.side(side is Side.BUY)
        for row in rows:
            for o in book_side.levels[row.price].live():
                listings.append(Listing(o.order_id, side, o.price, o.remaining))
    return shown, listings


def risk_balance(exchange: Exchange, orders: OrderHistory, account: str) -> RiskBalance:
    """The account's free and reserved cash and allowances, or NOT_FOUND."""
    ledger = exchange.ledger
    instruments = orders.instruments_of.get(account, {})
    if account not in ledger.cash_free and not instruments:
        raise MatchingNotFoundError(
            f"no trading account {account}", reason="ACCOUNT_NOT_FOUND",
            metadata={"account_id": account},
        )  # fmt: skip
    balances = []
    for instrument in sorted(instruments):
        p = ledger.positions.get((account, instrument))
        if p is not None:
            balances.append(AllowanceBalance(instrument, p.free, p.reserved, p.pending))
    return RiskBalance(
        account, ledger.free_cash(account), ledger.cash_reserved.get(account, 0), tuple(balances)
    )


def instrument_status(
    exchange: Exchange, instrument: str, last_closed: DayClosed | None = None
) -> InstrumentStatus:
    """How an instrument trades today; between days, its last closed day and its final
    figures (``last_closed``: the read model's record of that day)."""
    found = market(exchange, instrument)
    reference = found.reference_price
    config = found.config
    is_open = found.day is not None
    trading_date = found.day or found.last_closed
    statistics = running_statistics(exchange, instrument)
    closed = not is_open and last_closed is not None and last_closed.day == found.last_closed
    if closed and last_closed is not None:
        statistics = final_statistics(last_closed)
    return InstrumentStatus(
        config, is_open, trading_date, reference, config.band(TradingMode.CONTINUOUS, reference),
        config.band(TradingMode.BLOCK, reference), statistics, closed,
    )  # fmt: skip


def negotiation(deals: DealHistory, negotiation_id: str) -> NegotiationView:
    """A block negotiation by id, or NOT_FOUND ``NEGOTIATION_NOT_FOUND``."""
    found = deals.negotiations.get(negotiation_id)
    if found is None:
        raise MatchingNotFoundError(
            f"no negotiation {negotiation_id}", reason=Reason.NEGOTIATION_NOT_FOUND,
            metadata={"negotiation_id": negotiation_id},
        )  # fmt: skip
    return found


def auction(deals: DealHistory, auction_id: str) -> AuctionView:
    """A one-way bidding by id, or NOT_FOUND ``AUCTION_NOT_FOUND``."""
    found = deals.auctions.get(auction_id)
    if found is None:
        raise MatchingNotFoundError(
            f"no auction {auction_id}", reason=Reason.AUCTION_NOT_FOUND,
            metadata={"auction_id": auction_id},
        )  # fmt: skip
    return found
