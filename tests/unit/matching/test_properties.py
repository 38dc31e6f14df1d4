"""Properties over random command sequences (Hypothesis).

On the bare continuous book: quantity is conserved, the book is never crossed after
matching, every trade takes the best price and the oldest order there (FIFO), and the book
rebuilt from the events equals the live one. On the whole exchange: the reservations always
equal what the open orders, quotes and bids need, cash and allowances are conserved, and
replay (also from the canonical records) rebuilds the live state.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqx_matching.domain import (
    AcceptBlockTrade,
    AllowancesAssigned,
    AllowancesWithdrawn,
    AssignAllowances,
    CancelOrder,
    CloseTradingDay,
    Command,
    ContinuousBook,
    CounterBlockTrade,
    DepositFunds,
    Event,
    Exchange,
    FundsDeposited,
    FundsWithdrawn,
    OpenTradingDay,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderReduced,
    OrderReplaced,
    OrderType,
    PlaceOrder,
    PostListing,
    ProposeBlockTrade,
    ReduceOrder,
    ReplaceOrder,
    SelfTradePrevention,
    Side,
    TakeListing,
    TimeInForce,
    TradeExecuted,
    TradingCalendar,
    WithdrawFunds,
    canonical_line,
    event_from_record,
)
from tests.unit.matching.support import INSTRUMENT, config

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
ACCOUNTS = ["A", "B", "C", "D"]
SIDES = st.sampled_from([Side.BUY, Side.SELL])
KINDS = st.sampled_from(["limit", "limit", "limit", "mtl", "ioc", "fok", "post"])
STP = st.sampled_from(list(SelfTradePrevention))

place_operation = st.tuples(
    st.just("place"),
    SIDES,
    st.integers(5_998, 6_002),
    st.integers(1, 30),
    st.sampled_from(ACCOUNTS),
    KINDS,
    st.none() | STP,
)
amend_operation = st.one_of(
    st.tuples(st.just("cancel"), st.integers(0, 1_000), st.booleans()),
    st.tuples(st.just("reduce"), st.integers(0, 1_000), st.integers(0, 30)),
    st.tuples(
        st.just("replace"), st.integers(0, 1_000), st.integers(5_998, 6_002), st.integers(1, 30)
    ),
)


@st.composite
def book_operation(draw: st.DrawFn) -> tuple[Any, ...]:
    """Seven places in ten; the rest cancel, reduce or replace an earlier order."""
    return draw(place_operation if draw(st.integers(0, 9)) < 7 else amend_operation)


class Shadow:
    """An independent model of the book's queues, fed only by the events."""

    def __init__(self) -> None:
        self.queues: dict[tuple[bool, int], list[str]] = {}
        self.place: dict[str, tuple[bool, int]] = {}
        self.remaining: dict[str, int] = {}

    def _enqueue(self, order_id: str, is_buy: bool, price: int, quantity: int) -> None:
        self.queues.setdefault((is_buy, price), []).append(order_id)
        self.place[order_id] = (is_buy, price)
        self.remaining[order_id] = quantity

    def _dequeue(self, order_id: str) -> None:
        self.queues[self.place.pop(order_id)].remove(order_id)
        del self.remaining[order_id]

    def best(self, is_buy: bool) -> int | None:
        prices = [p for (b, p), q in self.queues.items() if b is is_buy and q]
        if not prices:
            return None
        return max(prices) if is_buy else min(prices)

    def apply(self, e: Event) -> None:
        if isinstance(e, OrderAccepted):
            self._enqueue(e.order_id, e.side is Side.BUY, e.price, e.quantity)
        elif isinstance(e, OrderReplaced):
            is_buy = self.place[e.order_id][0]
            self._dequeue(e.order_id)
            self._enqueue(e.order_id, is_buy, e.price, e.quantity)
        elif isinstance(e, OrderReduced):
            assert 0 < e.quantity < self.remaining[e.order_id]
            self.remaining[e.order_id] = e.quantity
        elif isinstance(e, OrderCancelled | OrderExpired):
            assert e.quantity == self.remaining[e.order_id]  # nothing lost, nothing invented
            self._dequeue(e.order_id)
        elif isinstance(e, TradeExecuted):
            self._trade(e)

    def _trade(self, e: TradeExecuted) -> None:
        maker_buys = e.aggressor is Side.SELL
        maker = e.buy_order_id if maker_buys else e.sell_order_id
        taker = e.sell_order_id if maker_buys else e.buy_order_id
        assert e.quantity > 0
        assert e.price == self.best(maker_buys), "a trade took a worse price than the best"
        assert self.queues[(maker_buys, e.price)][0] == maker, "a trade skipped an older order"
        taker_limit = self.place[taker][1]
        assert e.price <= taker_limit if not maker_buys else e.price >= taker_limit
        for order_id in (maker, taker):
            self.remaining[order_id] -= e.quantity
            assert self.remaining[order_id] >= 0
            if not self.remaining[order_id]:
                self._dequeue(order_id)


def book_command(
    op: tuple[Any, ...], ids: list[str], owners: dict[str, str], n: int
) -> PlaceOrder | CancelOrder | ReduceOrder | ReplaceOrder | None:
    """The command an operation tuple describes, against the ids issued so far."""
    kind = op[0]
    if kind == "place" or not ids:
        if kind != "place":
            return None
        _, side, price, qty, account, order_kind, stp = op
        order_id = f"o{n}"
        ids.append(order_id)
        owners[order_id] = str(account)
        extra: dict[str, Any] = {"self_trade_prevention": stp}
        if order_kind == "mtl":
            extra["order_type"], price = OrderType.MARKET_TO_LIMIT, None
        elif order_kind in ("ioc", "fok"):
            extra["time_in_force"] = TimeInForce.IOC if order_kind == "ioc" else TimeInForce.FOK
        elif order_kind == "post":
            extra["post_only"] = True
        return PlaceOrder(INSTRUMENT, order_id, account, side, qty, price, n, **extra)
    order_id = ids[int(op[1]) % len(ids)]
    owner = owners[order_id]
    if kind == "cancel":
        return CancelOrder(INSTRUMENT, order_id, owner if op[2] else "D", n)
    if kind == "reduce":
        return ReduceOrder(INSTRUMENT, order_id, owner, int(op[2]), n)
    return ReplaceOrder(INSTRUMENT, order_id, owner, int(op[2]), int(op[3]), n)


@PROPERTY_SETTINGS
@given(st.lists(book_operation(), min_size=30, max_size=80), STP, st.integers(0, 30))
def test_continuous_book_properties(
    operations: list[tuple[Any, ...]], stp: SelfTradePrevention, fee_bps: int
) -> None:
    book = ContinuousBook(INSTRUMENT, fee_bps, stp)
    shadow, log = Shadow(), []
    ids: list[str] = []
    owners: dict[str, str] = {}
    for n, op in enumerate(operations):
        command = book_command(op, ids, owners, n)
        if command is None:
            continue
        events = book.apply(command)
        for event in events:
            shadow.apply(event)
        log.extend(events)
        book.validate_internal_state()  # includes: never crossed after matching
        live = {o.order_id: o.remaining for o in book.open_orders()}
        assert live == shadow.remaining  # quantity conserved, order by order
        for side in (book.bids, book.asks):
            for price in side.prices():
                queue = [o.order_id for o in side.levels[price].live()]
                assert queue == shadow.queues[(side.is_buy, price)]  # FIFO within a level
    rebuilt = ContinuousBook(INSTRUMENT, fee_bps, stp)
    for event in log:
        rebuilt.evolve(event)
    assert rebuilt.snapshot() == book.snapshot()


# --- the whole exchange ------------------------------------------------------------------

START = date(2025, 7, 14)  # a Monday
CALENDAR = TradingCalendar()

ACCOUNT = st.sampled_from(ACCOUNTS)
exchange_operation = st.one_of(
    book_operation(),
    book_operation(),
    st.tuples(st.just("post"), SIDES, st.integers(5_995, 6_005), st.integers(1, 60), ACCOUNT),
    st.tuples(st.just("take"), SIDES, st.integers(1, 80), ACCOUNT, st.integers(0, 99) | st.none()),
    st.tuples(st.just("withdraw"), ACCOUNT, st.integers(1, 2_000_000)),
    st.tuples(st.just("block"), ACCOUNT, ACCOUNT, SIDES, st.integers(5_000, 7_000), st.booleans()),
    st.tuples(st.just("roll")),
)


class Session:
    """Drives an exchange through days; every command is checked on the spot."""

    def __init__(self, cash: dict[str, int], stock: dict[str, int]) -> None:
        self.configs = (config(fee_bps=15),)
        self.exchange = Exchange(self.configs, CALENDAR)
        self.day, self.clock, self.n = START, 0, 0
        self.log: list[Event] = []
        self.ids: list[str] = []
        self.owners: dict[str, str] = {}
        self.listings: list[str] = []
        self.run(OpenTradingDay(self.day, self.now()))
        for account in ACCOUNTS:
            self.run(DepositFunds(account, cash[account], self.now()))
            self.run(AssignAllowances(account, INSTRUMENT, stock[account], self.now()))

    def now(self) -> int:
        self.clock += 1
        return CALENDAR.at(self.day, time(13, 30)) + self.clock

    def run(self, command: Command) -> None:
        events = self.exchange.apply(command)
        self.log.extend(events)
        self.exchange.validate_internal_state()  # reservations equal what is open (R-T5)
        self.check_conservation()

    def check_conservation(self) -> None:
        ledger, cash_in, stock_in, fees = self.exchange.ledger, 0, 0, 0
        for e in self.log:
            if isinstance(e, FundsDeposited | FundsWithdrawn):
                cash_in += e.amount if isinstance(e, FundsDeposited) else -e.amount
            elif isinstance(e, AllowancesAssigned | AllowancesWithdrawn):
                stock_in += e.quantity if isinstance(e, AllowancesAssigned) else -e.quantity
            elif isinstance(e, TradeExecuted):
                fees += e.buyer_fee + e.seller_fee
        cash = sum(ledger.cash_free.values()) + sum(ledger.cash_reserved.values())
        stock = sum(p.free + p.reserved + p.pending for p in ledger.positions.values())
        assert cash == cash_in - fees
        assert stock == stock_in

    def step(self, op: tuple[Any, ...]) -> None:
        self.n += 1
        kind, at = op[0], self.now()
        if kind == "roll":
            self.run(CloseTradingDay(CALENDAR.close_of(self.day)))
            self.day = CALENDAR.next_trading_day(self.day)
            self.clock = 0
            self.run(OpenTradingDay(self.day, self.now()))
        elif kind == "post":
            _, side, price, qty, account = op
            order_id = f"l{self.n}"
            self.listings.append(order_id)
            self.ids.append(order_id)
            self.owners[order_id] = str(account)
            self.run(PostListing(INSTRUMENT, order_id, str(account), side, qty, price, at))
        elif kind == "take":
            _, side, qty, account, pick = op
            maker = (
                self.listings[pick % len(self.listings)]
                if pick is not None and self.listings
                else None
            )
            self.run(TakeListing(INSTRUMENT, f"t{self.n}", str(account), side, qty, at, maker))
        elif kind == "withdraw":
            self.run(WithdrawFunds(str(op[1]), int(op[2]), at))
        elif kind == "block":
            self.block(op, at)
        else:
            command = book_command(op, self.ids, self.owners, self.n)
            if command is not None:
                self.run(replace_time(command, at))

    def block(self, op: tuple[Any, ...], at: int) -> None:
        _, proposer, other, side, price, countered = op
        nid, qty = f"n{self.n}", 100_000
        self.run(
            ProposeBlockTrade(INSTRUMENT, nid, str(proposer), side, price, qty, at, str(other))
        )
        if countered:
            self.run(CounterBlockTrade(INSTRUMENT, nid, str(other), int(price) - 10, qty, at))
            self.run(AcceptBlockTrade(INSTRUMENT, nid, str(proposer), int(price) - 10, qty, at))
        else:
            self.run(AcceptBlockTrade(INSTRUMENT, nid, str(other), int(price), qty, at))


def replace_time(
    command: PlaceOrder | CancelOrder | ReduceOrder | ReplaceOrder, at: int
) -> Command:
    """``command`` (from :func:`book_command`) stamped with the session's clock."""
    return replace(command, at=at)


@PROPERTY_SETTINGS
@given(
    st.lists(exchange_operation, min_size=20, max_size=60),
    st.fixed_dictionaries({a: st.integers(50_000_000, 5_000_000_000) for a in ACCOUNTS}),
    st.fixed_dictionaries({a: st.integers(1_000, 400_000) for a in ACCOUNTS}),
)
def test_exchange_properties(
    operations: list[tuple[Any, ...]], cash: dict[str, int], stock: dict[str, int]
) -> None:
    session = Session(cash, stock)
    for op in operations:
        session.step(op)
    rebuilt = Exchange.replay(session.configs, session.log, CALENDAR)
    assert rebuilt.snapshot() == session.exchange.snapshot()
    decoded = [event_from_record(json.loads(canonical_line(e))) for e in session.log]
    assert Exchange.replay(session.configs, decoded, CALENDAR).snapshot() == rebuilt.snapshot()
