"""Live market data and executions, delivered only once what they report is committed.

Each client command is decided in memory and then committed; what it changes is staged at
decision time (in decision order, with the instrument's next market data sequence numbers)
and released to subscribers when its commit is known, strictly in decision order: a command
whose commit failed releases nothing, and nothing decided after it overtakes it. A new
market data subscriber's snapshot is staged the same way, so it reaches the client after
every change it already contains is committed, and before the changes that follow it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from cqx_matching.application.errors import ExchangeRestartingError
from cqx_matching.domain import (
    Event,
    Exchange,
    MarketDataFeed,
    MarketDataMessage,
    Side,
    TradeExecuted,
)
from cqx_matching.domain.market_data import Payload

QUEUE_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class MarketSnapshot:
    """What a market data subscriber starts from, and the sequence it is current to."""

    instrument: str
    sequence: int
    payloads: tuple[Payload, ...]


@dataclass(frozen=True, slots=True)
class ExecutionReport:
    """One side of a trade, for the account that traded it."""

    trade: TradeExecuted
    account: str
    order_id: str
    side: Side
    fee: int
    trading_date: date | None


Item = MarketDataMessage | MarketSnapshot | ExecutionReport


class SlowConsumerError(ExchangeRestartingError):
    """A subscriber fell too far behind; it may subscribe again for a fresh snapshot."""

    default_reason = "SLOW_CONSUMER"


class Subscription:
    """One client's stream: the items released to it, in order."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.queue: asyncio.Queue[Item | None] = asyncio.Queue(QUEUE_LIMIT)
        self.active = True

    def offer(self, item: Item) -> None:
        """Queue ``item``; a full queue ends the stream (the client resubscribes)."""
        if not self.active:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.active = False
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)

    async def next(self) -> Item:
        """The next item; raises :class:`SlowConsumerError` if the stream was cut."""
        item = await self.queue.get()
        if item is None:
            raise SlowConsumerError("the stream fell behind; subscribe again")
        return item


class Staged:
    """One decision's deliveries, waiting for its commit."""

    __slots__ = ("committed", "deliveries", "settled")

    def __init__(self, deliveries: list[Callable[[], None]]) -> None:
        self.deliveries = deliveries
        self.settled = False
        self.committed = False


class LiveFeed:
    """Subscriptions to market data (per instrument) and executions (per account)."""

    def __init__(self) -> None:
        self.sequencer = MarketDataFeed()
        self._market: dict[str, set[Subscription]] = {}
        self._accounts: dict[str, set[Subscription]] = {}
        self._pending: deque[Staged] = deque()

    def stage(self, exchange: Exchange, events: list[Event], day: date | None) -> Staged:
        """At decision time: what ``events`` will tell subscribers once committed."""
        deliveries: list[Callable[[], None]] = []
        if self._market and any(getattr(e, "instrument", None) in self._market for e in events):
            messages = self.sequencer.publish(exchange, events)
            deliveries += [self._to_market(m) for m in messages if m.instrument in self._market]
        if self._accounts:
            deliveries += [self._to_account(r) for r in self._executions(events, day)]
        staged = Staged(deliveries)
        self._pending.append(staged)
        return staged

    def settle(self, staged: Staged, committed: bool) -> None:
        """The decision's commit is known: release what may be released, in order."""
        staged.settled, staged.committed = True, committed
        self._release()

    def _release(self) -> None:
        pending = self._pending
        while pending and pending[0].settled:
            done = pending.popleft()
            if done.committed:
                for deliver in done.deliveries:
                    deliver()

    def subscribe_market(self, exchange: Exchange, instrument: str) -> Subscription:
        """A market data stream: the snapshot now (released in order), then every change."""
        sequence, payloads = self.sequencer.snapshot(exchange, instrument)
        subscription = Subscription(instrument)
        self._market.setdefault(instrument, set()).add(subscription)
        snapshot = MarketSnapshot(instrument, sequence, tuple(payloads))
        subscription.active = False  # nothing before the snapshot reaches it

        def start() -> None:
            subscription.active = True
            subscription.offer(snapshot)

        staged = Staged([start])
        staged.settled = staged.committed = True
        self._pending.append(staged)
        self._release()
        return subscription

    def subscribe_executions(self, account: str) -> Subscription:
        """An execution stream of ``account`` from now on."""
        subscription = Subscription(account)
        self._accounts.setdefault(account, set()).add(subscription)
        return subscription

    def streams_of(self, account: str) -> int:
        """How many execution streams ``account`` has open."""
        return len(self._accounts.get(account, ()))

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop a stream."""
        subscription.active = False
        for table in (self._market, self._accounts):
            subscribers = table.get(subscription.key)
            if subscribers is not None and subscription in subscribers:
                subscribers.discard(subscription)
                if not subscribers:
                    del table[subscription.key]

    def _to_market(self, message: MarketDataMessage) -> Callable[[], None]:
        def deliver() -> None:
            for subscriber in tuple(self._market.get(message.instrument, ())):
                subscriber.offer(message)

        return deliver

    def _to_account(self, report: ExecutionReport) -> Callable[[], None]:
        def deliver() -> None:
            for subscriber in tuple(self._accounts.get(report.account, ())):
                subscriber.offer(report)

        return deliver

    def _executions(self, events: Iterable[Event], day: date | None) -> list[ExecutionReport]:
        reports = []
        for e in events:
            if isinstance(e, TradeExecuted):
                if e.buyer in self._accounts:
                    reports.append(
                        ExecutionReport(e, e.buyer, e.buy_order_id, Side.BUY, e.buyer_fee, day)
                    )
                if e.seller in self._accounts:
                    reports.append(
                        ExecutionReport(e, e.seller, e.sell_order_id, Side.SELL, e.seller_fee, day)
                    )
        return reports
