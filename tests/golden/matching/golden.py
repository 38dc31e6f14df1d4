"""The golden trading day: its configuration, its recorded commands and how to replay them.

``commands.jsonl`` is a recorded day (one canonical command record a line) across every
mode of two instruments. Replaying it through a fresh exchange must give exactly the trades
in ``trades.jsonl`` and events whose canonical SHA-256 is in ``events.sha256``. The recording
was made by :func:`record_day` (a seeded generator); it is data now, and changes only when
someone deliberately re-records it (``python -m tests.golden.matching.regenerate --record``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

from cqx_matching.domain import (
    AcceptBlockTrade,
    AnnounceBidding,
    AssignAllowances,
    BiddingAllocation,
    CancelOrder,
    CloseBidding,
    CloseTradingDay,
    Command,
    CounterBlockTrade,
    DepositFunds,
    Event,
    Exchange,
    InstrumentConfig,
    OpenTradingDay,
    OrderType,
    PlaceOrder,
    PostListing,
    ProposeBlockTrade,
    ReduceOrder,
    ReplaceOrder,
    SelfTradePrevention,
    Side,
    SubmitBid,
    TakeListing,
    TimeInForce,
    TradeExecuted,
    TradingCalendar,
    WithdrawBlockTrade,
    canonical_line,
    command_from_record,
    events_digest,
)

HERE = Path(__file__).parent
COMMANDS = HERE / "commands.jsonl"
TRADES = HERE / "trades.jsonl"
DIGEST = HERE / "events.sha256"

DAY = date(2025, 7, 16)
CALENDAR = TradingCalendar(holidays=frozenset({date(2025, 10, 1)}))
INSTRUMENTS = (
    InstrumentConfig("CEA-2024", previous_close=7_463, tick=1, fee_bps=15),
    InstrumentConfig(
        "CEA-2025",
        previous_close=6_870,
        tick=5,
        fee_bps=10,
        self_trade_prevention=SelfTradePrevention.CANCEL_OLDEST,
        bidding_allocation=BiddingAllocation.PRICE_PRO_RATA,
    ),
)
ACCOUNTS = [f"KEU-{n:03d}" for n in range(1, 13)]


def load_commands(path: Path = COMMANDS) -> list[Command]:
    """The recorded commands."""
    with path.open(encoding="utf-8") as lines:
        return [command_from_record(json.loads(line)) for line in lines if line.strip()]


def replay_day(commands: list[Command]) -> tuple[Exchange, list[Event]]:
    """A fresh exchange after ``commands``, and every event they produced."""
    exchange = Exchange(INSTRUMENTS, CALENDAR)
    events: list[Event] = []
    for command in commands:
        events.extend(exchange.apply(command))
    return exchange, events


def outputs(events: list[Event]) -> tuple[list[str], str]:
    """The canonical trade lines and the SHA-256 of all the events."""
    lines = [canonical_line(e) for e in events if isinstance(e, TradeExecuted)]
    return lines, events_digest(events)


def write_outputs(events: list[Event]) -> str:
    """Store the expected trades and digest; return the digest."""
    lines, digest = outputs(events)
    TRADES.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    DIGEST.write_text(f"{digest}\n", encoding="utf-8")
    return digest


class DayRecorder:
    """Generates a plausible day: funding, both sessions, every mode, the close."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.clock = 0
        self.n = 0
        self.orders: list[tuple[str, str, str]] = []  # instrument, order id, account
        self.listings: list[tuple[str, str]] = []

    def at(self, clock: time) -> int:
        self.clock = max(self.clock + 1_000, CALENDAR.at(DAY, clock))
        return self.clock

    def tick(self) -> int:
        self.clock += self.rng.randint(1_000, 4_000_000)
        return self.clock

    def next_id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.n:05d}"

    def price(self, config: InstrumentConfig, spread: int = 40) -> int:
        raw = config.previous_close + self.rng.randint(-spread, spread) * config.tick
        return raw - raw % config.tick

    def continuous(self) -> Command:
        config = self.rng.choice(INSTRUMENTS)
        roll = self.rng.random()
        if roll < 0.15 and self.orders:
            instrument, order_id, account = self.rng.choice(self.orders)
            return CancelOrder(instrument, order_id, account, self.tick())
        if roll < 0.2 and self.orders:
            instrument, order_id, account = self.rng.choice(self.orders)
            return ReduceOrder(instrument, order_id, account, self.rng.randint(1, 40), self.tick())
        if roll < 0.25 and self.orders:
            instrument, order_id, account = self.rng.choice(self.orders)
            config = next(c for c in INSTRUMENTS if c.instrument == instrument)
            qty = self.rng.randint(1, 300)
            return ReplaceOrder(instrument, order_id, account, self.price(config), qty, self.tick())
        return self.new_order(config)

    def new_order(self, config: InstrumentConfig) -> Command:
        order_id, account = self.next_id("O"), self.rng.choice(ACCOUNTS)
        self.orders.append((config.instrument, order_id, account))
        side = self.rng.choice([Side.BUY, Side.SELL])
        kind = self.rng.choice(["limit"] * 6 + ["ioc", "fok", "mtl", "post"])
        qty = self.rng.randint(1, 500) * (10 if self.rng.random() < 0.1 else 1)
        price: int | None = self.price(config)
        extra: dict[str, object] = {}
        if kind == "mtl":
            price, extra["order_type"] = None, OrderType.MARKET_TO_LIMIT
        elif kind in ("ioc", "fok"):
            extra["time_in_force"] = TimeInForce[kind.upper()]
        elif kind == "post":
            extra["post_only"] = True
        return PlaceOrder(
            config.instrument,
            order_id,
            account,
            side,
            qty,
            price,
            self.tick(),
            **extra,  # type: ignore[arg-type]
        )

    def listed(self) -> Command:
        config = self.rng.choice(INSTRUMENTS)
        account = self.rng.choice(ACCOUNTS)
        if self.listings and self.rng.random() < 0.5:
            instrument, maker = self.rng.choice(self.listings)
            named = maker if self.rng.random() < 0.7 else None
            side = self.rng.choice([Side.BUY, Side.SELL])
            qty = self.rng.randint(1, 800)
            return TakeListing(
                instrument, self.next_id("T"), account, side, qty, self.tick(), named
            )
        order_id = self.next_id("L")
        self.listings.append((config.instrument, order_id))
        side = self.rng.choice([Side.BUY, Side.SELL])
        qty = self.rng.randint(1, 2_000)
        return PostListing(
            config.instrument, order_id, account, side, qty, self.price(config), self.tick()
        )

    def block_deal(self) -> Iterator[Command]:
        config = self.rng.choice(INSTRUMENTS)
        nid = self.next_id("N")
        seller, buyer = self.rng.sample(ACCOUNTS, 2)
        qty = self.rng.randint(100, 400) * 1_000
        price = self.price(config, spread=150)
        yield ProposeBlockTrade(
            config.instrument, nid, seller, Side.SELL, price, qty, self.tick(), buyer
        )
        ending = self.rng.random()
        if ending < 0.4:
            yield AcceptBlockTrade(config.instrument, nid, buyer, price, qty, self.tick())
        elif ending < 0.8:
            better = price - 3 * config.tick
            yield CounterBlockTrade(config.instrument, nid, buyer, better, qty, self.tick())
            yield AcceptBlockTrade(config.instrument, nid, seller, better, qty, self.tick())
        else:
            yield WithdrawBlockTrade(config.instrument, nid, seller, self.tick())

    def bidding(self, config: InstrumentConfig) -> Iterator[Command]:
        auction = self.next_id("A")
        start, end = self.clock + 60_000_000, self.clock + 1_200_000_000
        initiator = self.rng.choice(ACCOUNTS)
        reserve = config.previous_close
        yield AnnounceBidding(
            config.instrument, auction, initiator, Side.SELL, 20_000, reserve, start, end,
            self.clock + 1_000,
        )  # fmt: skip
        self.clock = start
        for _ in range(12):
            price = reserve + self.rng.randint(-2, 12) * config.tick
            qty = self.rng.randint(1, 8) * 1_000
            bidder = self.rng.choice(ACCOUNTS)
            bid = SubmitBid(
                config.instrument, auction, self.next_id("B"), bidder, price, qty, self.tick()
            )
            yield bid
        self.clock = end
        yield CloseBidding(config.instrument, auction, self.at(time(14, 0)))

    def record(self) -> list[Command]:
        """The whole day."""
        out: list[Command] = [OpenTradingDay(DAY, self.at(time(9, 0)))]
        for account in ACCOUNTS:
            out.append(
                DepositFunds(account, self.rng.randint(5, 50) * 1_000_000_000, self.at(time(9, 1)))
            )
            for config in INSTRUMENTS:
                qty = self.rng.randint(50, 900) * 1_000
                out.append(AssignAllowances(account, config.instrument, qty, self.at(time(9, 2))))
        self.at(time(9, 30))
        out += [
            self.continuous() if self.rng.random() < 0.75 else self.listed() for _ in range(700)
        ]
        self.at(time(13, 0))
        for _ in range(6):
            out += list(self.block_deal())
        self.at(time(13, 10))
        out += list(self.bidding(INSTRUMENTS[0])) + list(self.bidding(INSTRUMENTS[1]))
        self.at(time(14, 0))
        out += [
            self.continuous() if self.rng.random() < 0.75 else self.listed() for _ in range(500)
        ]
        out.append(CloseTradingDay(self.at(time(15, 0))))
        return out


def record_day(seed: int = 20250716) -> list[Command]:
    """Generate the golden day's commands."""
    return DayRecorder(seed).record()


def write_commands(commands: list[Command]) -> None:
    """Store a recording."""
    COMMANDS.write_text("".join(f"{canonical_line(c)}\n" for c in commands), encoding="utf-8")
