"""The listed agreement book (挂牌协议): makers post, takers pick (R-T1, R-T2, R-T7, R-T8).

Listings never match each other: a bid may even sit above an ask. A trade happens only when
a taker names a maker (or asks for the automatic choice), at the maker's price, for the
taker's quantity up to the maker's remainder; the taker never rests. The maker must sit in
the other side's best five price levels; within one price any maker may be named (no time
priority). The automatic choice takes the best price, then the oldest listing.

Unlike the continuous book this book is decide/evolve: the methods below only read the book
and return events; ``evolve`` (from :class:`OrderIndex`) applies them, live and in replay.
"""

from __future__ import annotations

from cqx_matching.domain.book.order_index import OrderIndex, TradeCounter, closed_reason
from cqx_matching.domain.book.price_levels import RestingOrder
from cqx_matching.domain.commands import CancelOrder, ReduceOrder, ReplaceOrder, TakeListing
from cqx_matching.domain.events import (
    Event,
    OrderCancelled,
    OrderReduced,
    OrderRejected,
    OrderReplaced,
    TradeExecuted,
)
from cqx_matching.domain.instruments import fee
from cqx_matching.domain.vocabulary import CancelReason, Reason, Side, TradingMode

LISTED = TradingMode.LISTED


def rejected(c: TakeListing | CancelOrder | ReduceOrder | ReplaceOrder, reason: str) -> Event:
    """The rejection of an order command on this book."""
    return OrderRejected(c.instrument, c.order_id, c.account, type(c).__name__, reason, c.at)


class ListedAgreementBook(OrderIndex):
    """One instrument's listings, both sides."""

    __slots__ = ()

    def __init__(self, instrument: str, trades: TradeCounter | None = None) -> None:
        super().__init__(instrument, LISTED, trades)

    def choose_maker(self, c: TakeListing, levels: int) -> RestingOrder | str:
        """The maker a taker trades with, or the reason there is none."""
        if c.maker_order_id is None:
            return self._automatic_maker(c, levels)
        maker = self.open_order(c.maker_order_id)
        if maker is None or maker.is_buy is (c.side is Side.BUY):
            return Reason.MAKER_NOT_FOUND
        if maker.price not in self.side(maker.is_buy).prices(levels):
            return Reason.MAKER_NOT_IN_BEST_FIVE
        if maker.account == c.account:
            return Reason.SELF_TRADE_PREVENTED
        if not acceptable(c, maker.price):
            return Reason.PRICE_WORSE_THAN_LIMIT
        return maker

    def _automatic_maker(self, c: TakeListing, levels: int) -> RestingOrder | str:
        side = self.side(c.side is Side.SELL)
        for price in side.prices(levels):
            if not acceptable(c, price):
                break
            for maker in side.levels[price].live():
                if maker.account != c.account:
                    return maker
        return Reason.NO_MAKER_AVAILABLE

    def trade(self, c: TakeListing, maker: RestingOrder, fee_bps: int) -> TradeExecuted:
        """The trade of ``c`` against ``maker``: the maker's price, quantity up to its rest."""
        quantity = min(c.quantity, maker.remaining)
        charge = fee(maker.price * quantity, fee_bps)
        trade_id = self.trades.value + 1
        buyer, seller = (c, maker) if c.side is Side.BUY else (maker, c)
        return TradeExecuted(
            self.instrument, trade_id, LISTED, maker.price, quantity, buyer.order_id,
            buyer.account, seller.order_id, seller.account, c.side, charge, charge, c.at,
        )  # fmt: skip

    def owned_order(self, c: CancelOrder | ReduceOrder | ReplaceOrder) -> RestingOrder | Event:
        """The caller's open listing named by ``c``, or the rejection."""
        order = self.open_order(c.order_id)
        if order is None:
            return rejected(c, closed_reason(self.entry(c.order_id)))
        if order.account != c.account:
            return rejected(c, Reason.NOT_ORDER_OWNER)
        return order

    def cancel(self, c: CancelOrder) -> list[Event]:
        """Withdraw a listing. A filled listing cannot be cancelled (R-T10)."""
        order = self.owned_order(c)
        if not isinstance(order, RestingOrder):
            return [order]
        reason = CancelReason.REQUESTED
        return [
            OrderCancelled(
                c.instrument, c.order_id, c.account, LISTED, order.remaining, reason, c.at
            )
        ]

    def reduce(self, c: ReduceOrder) -> list[Event]:
        """Lower a listing's remaining quantity; it keeps its place."""
        order = self.owned_order(c)
        if not isinstance(order, RestingOrder):
            return [order]
        if c.quantity <= 0:
            return [rejected(c, Reason.QUANTITY_NOT_POSITIVE)]
        if c.quantity >= order.remaining:
            return [rejected(c, Reason.QUANTITY_NOT_REDUCED)]
        return [OrderReduced(c.instrument, c.order_id, c.account, LISTED, c.quantity, c.at)]

    def replace(self, c: ReplaceOrder) -> list[Event]:
        """Give a listing a new price and quantity; it goes to the back of its new level."""
        order = self.owned_order(c)
        if not isinstance(order, RestingOrder):
            return [order]
        if c.quantity <= 0:
            return [rejected(c, Reason.QUANTITY_NOT_POSITIVE)]
        return [
            OrderReplaced(c.instrument, c.order_id, c.account, LISTED, c.price, c.quantity, c.at)
        ]


def acceptable(c: TakeListing, price: int) -> bool:
    """Whether ``price`` is no worse for the taker than its limit (if it gave one)."""
    if c.limit_price is None:
        return True
    return price <= c.limit_price if c.side is Side.BUY else price >= c.limit_price
