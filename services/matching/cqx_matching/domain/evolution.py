"""evolve(exchange, event): how each event changes the exchange, live and in replay alike.

The one difference between the two: events the continuous book emitted while matching are
already on that book (``applied``), so only the ledger and the statistics take them live.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cqx_matching.domain.deal_events import (
    BiddingAnnounced,
    BiddingClosed,
    BidReleased,
    BidSubmitted,
    BlockTradeAgreed,
    BlockTradeCountered,
    BlockTradeExpired,
    BlockTradeProposed,
    BlockTradeWithdrawn,
)
from cqx_matching.domain.events import (
    AllowancesAssigned,
    AllowancesWithdrawn,
    DayClosed,
    Event,
    FundsDeposited,
    FundsWithdrawn,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderReduced,
    OrderReplaced,
    TradeExecuted,
    TradingDayClosed,
    TradingDayOpened,
)
from cqx_matching.domain.listing_events import InstrumentDayOpened, InstrumentListed
from cqx_matching.domain.restrictions import TradingReinstated, TradingRestricted
from cqx_matching.domain.state import ExchangeState, InstrumentMarket
from cqx_matching.domain.statistics import DailyStatistics
from cqx_matching.domain.vocabulary import Side, TradingMode

BLOCK, BIDDING, LISTED = TradingMode.BLOCK, TradingMode.BIDDING, TradingMode.LISTED
BOOK_MODES = frozenset({TradingMode.CONTINUOUS, TradingMode.LISTED})


def evolve(exchange: ExchangeState, event: Event, applied: bool) -> None:
    """Apply ``event``; ``applied`` says the continuous book has already applied it."""
    step = STEPS.get(type(event))
    if step is not None:
        step(exchange, event, applied)


def _order_accepted(ex: ExchangeState, e: OrderAccepted, applied: bool) -> None:
    market = ex.markets[e.instrument]
    if not applied:
        market.book(e.mode).evolve(e)
    reservation = ex.reservation_for(market, e.account, e.side is Side.BUY, e.price, e.quantity)
    ex.ledger.reserve((e.instrument, e.mode, e.order_id), reservation)
    ex.orders.accepted(e.order_id, e.account)


def _order_closed(ex: ExchangeState, e: OrderCancelled | OrderExpired, applied: bool) -> None:
    if not applied:
        ex.markets[e.instrument].book(e.mode).evolve(e)
    ex.ledger.release((e.instrument, e.mode, e.order_id))


def _order_reduced(ex: ExchangeState, e: OrderReduced, applied: bool) -> None:
    if not applied:
        ex.markets[e.instrument].book(e.mode).evolve(e)
    key = (e.instrument, e.mode, e.order_id)
    held = ex.ledger.reservations[key]
    ex.ledger.resize(key, held.price, e.quantity)


def _order_replaced(ex: ExchangeState, e: OrderReplaced, applied: bool) -> None:
    if not applied:
        ex.markets[e.instrument].book(e.mode).evolve(e)
    ex.ledger.resize((e.instrument, e.mode, e.order_id), e.price, e.quantity)


def _trade(ex: ExchangeState, e: TradeExecuted, applied: bool) -> None:
    market = ex.markets[e.instrument]
    if e.mode in BOOK_MODES:
        if not applied:
            market.book(e.mode).evolve(e)
        if e.mode is LISTED:
            ex.orders.taken(e)
    else:
        market.trades.value = max(market.trades.value, e.trade_id)
    buy_key = (e.instrument, e.mode, e.buy_order_id)
    ex.ledger.settle(e, buy_key, (e.instrument, e.mode, e.sell_order_id))
    market.statistics.record(e)


def _block_proposed(ex: ExchangeState, e: BlockTradeProposed, _: bool) -> None:
    market = ex.markets[e.instrument]
    market.block.evolve(e)
    reservation = ex.reservation_for(market, e.account, e.side is Side.BUY, e.price, e.quantity)
    ex.ledger.reserve((e.instrument, BLOCK, e.negotiation_id), reservation)


def _block_countered(ex: ExchangeState, e: BlockTradeCountered, _: bool) -> None:
    market = ex.markets[e.instrument]
    key = (e.instrument, BLOCK, e.negotiation_id)
    buys = market.block.open[e.negotiation_id].side_of(e.account) is Side.BUY
    ex.ledger.release(key)  # the earlier terms lapse with their confirmation
    market.block.evolve(e)
    ex.ledger.reserve(key, ex.reservation_for(market, e.account, buys, e.price, e.quantity))


def _block_ended(
    ex: ExchangeState, e: BlockTradeAgreed | BlockTradeWithdrawn | BlockTradeExpired, _: bool
) -> None:
    ex.markets[e.instrument].block.evolve(e)
    if not isinstance(e, BlockTradeAgreed):  # an agreed deal's TradeExecuted consumes it
        ex.ledger.release((e.instrument, BLOCK, e.negotiation_id))


def _bidding_announced(ex: ExchangeState, e: BiddingAnnounced, _: bool) -> None:
    market = ex.markets[e.instrument]
    market.bidding.evolve(e)
    buys = e.side is Side.BUY
    reservation = ex.reservation_for(market, e.account, buys, e.reserve_price, e.quantity)
    ex.ledger.reserve((e.instrument, BIDDING, e.auction_id), reservation)


def _bid_submitted(ex: ExchangeState, e: BidSubmitted, _: bool) -> None:
    market = ex.markets[e.instrument]
    market.bidding.evolve(e)
    buys = market.bidding.auctions[e.auction_id].side is Side.SELL  # bidders take the other side
    reservation = ex.reservation_for(market, e.account, buys, e.price, e.quantity)
    ex.ledger.reserve((e.instrument, BIDDING, e.bid_id), reservation)


def _bid_released(ex: ExchangeState, e: BidReleased, _: bool) -> None:
    ex.ledger.release((e.instrument, BIDDING, e.bid_id))


def _bidding_closed(ex: ExchangeState, e: BiddingClosed, _: bool) -> None:
    ex.markets[e.instrument].bidding.evolve(e)
    ex.ledger.release((e.instrument, BIDDING, e.auction_id))


def _funds(ex: ExchangeState, e: FundsDeposited | FundsWithdrawn, _: bool) -> None:
    ex.ledger.deposit(e.account, e.amount if isinstance(e, FundsDeposited) else -e.amount)


def _allowances(ex: ExchangeState, e: AllowancesAssigned | AllowancesWithdrawn, _: bool) -> None:
    quantity = e.quantity if isinstance(e, AllowancesAssigned) else -e.quantity
    ex.ledger.assign(e.account, e.instrument, quantity)


def _restricted(ex: ExchangeState, e: TradingRestricted, _: bool) -> None:
    ex.restricted.update(dict.fromkeys(e.accounts, e.participant_id))


def _reinstated(ex: ExchangeState, e: TradingReinstated, _: bool) -> None:
    for account in [
        a for a, p in ex.restricted.items() if p == e.participant_id or a in e.accounts
    ]:
        del ex.restricted[account]


def _day_opened(ex: ExchangeState, e: TradingDayOpened, _: bool) -> None:
    ex.day = e.day


def _instrument_listed(ex: ExchangeState, e: InstrumentListed, _: bool) -> None:
    ex.markets[e.config.instrument] = InstrumentMarket(e.config)


def _instrument_day_opened(ex: ExchangeState, e: InstrumentDayOpened, _: bool) -> None:
    market = ex.markets[e.instrument]
    market.statistics = DailyStatistics(e.previous_close)
    market.day = e.day


def _day_closed(ex: ExchangeState, e: DayClosed, _: bool) -> None:
    market = ex.markets[e.instrument]
    market.statistics = DailyStatistics(previous_close=e.close)
    market.day, market.last_closed = None, e.day


def _trading_day_closed(ex: ExchangeState, e: TradingDayClosed, _: bool) -> None:
    ex.day, ex.last_closed = None, e.day
    ex.ledger.mature()  # bought today, sellable from the next trading day (R-T6)
    ex.orders.end_day(b for m in ex.markets.values() for b in (m.continuous, m.listed))
    for market in ex.markets.values():
        market.continuous.forget_day()
        market.listed.forget_day()
        market.block.forget_day()
        market.bidding.forget_day()


STEPS: dict[type[Any], Callable[[ExchangeState, Any, bool], None]] = {
    OrderAccepted: _order_accepted,
    OrderCancelled: _order_closed,
    OrderExpired: _order_closed,
    OrderReduced: _order_reduced,
    OrderReplaced: _order_replaced,
    TradeExecuted: _trade,
    BlockTradeProposed: _block_proposed,
    BlockTradeCountered: _block_countered,
    BlockTradeAgreed: _block_ended,
    BlockTradeWithdrawn: _block_ended,
    BlockTradeExpired: _block_ended,
    BiddingAnnounced: _bidding_announced,
    BidSubmitted: _bid_submitted,
    BidReleased: _bid_released,
    BiddingClosed: _bidding_closed,
    FundsDeposited: _funds,
    FundsWithdrawn: _funds,
    AllowancesAssigned: _allowances,
    AllowancesWithdrawn: _allowances,
    TradingDayOpened: _day_opened,
    InstrumentListed: _instrument_listed,
    InstrumentDayOpened: _instrument_day_opened,
    DayClosed: _day_closed,
    TradingDayClosed: _trading_day_closed,
    TradingRestricted: _restricted,
    TradingReinstated: _reinstated,
}
