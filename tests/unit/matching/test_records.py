"""Records: every command and event survives the trip to a record and back."""

from __future__ import annotations

import json
from datetime import date

from cqx_matching.domain import (
    AnnounceBidding,
    CloseTradingDay,
    Command,
    OpenTradingDay,
    OrderType,
    PlaceOrder,
    Side,
    TimeInForce,
    canonical_line,
    command_from_record,
    event_from_record,
    events_digest,
    to_record,
)
from tests.unit.matching.support import INSTRUMENT, MORNING, Market


def test_commands_round_trip_through_records() -> None:
    commands: list[Command] = [
        OpenTradingDay(date(2025, 7, 16), 1),
        PlaceOrder(
            INSTRUMENT, "o1", "A", Side.BUY, 10, None, MORNING,
            OrderType.MARKET_TO_LIMIT, TimeInForce.IOC,
        ),
        AnnounceBidding(INSTRUMENT, "a1", "S", Side.SELL, 5, 6_000, 1, 2, 0, frozenset({"B", "A"})),
        CloseTradingDay(5),
    ]  # fmt: skip
    for command in commands:
        record = json.loads(canonical_line(command))
        assert command_from_record(record) == command


def test_events_round_trip_and_hash_the_same() -> None:
    market = Market()
    market.fund("A", "B")
    market.given(
        PlaceOrder(INSTRUMENT, "s1", "A", Side.SELL, 10, 6_000, MORNING),
        PlaceOrder(INSTRUMENT, "b1", "B", Side.BUY, 4, 6_000, MORNING),
    )
    back = [event_from_record(json.loads(canonical_line(e))) for e in market.log]
    assert back == market.log
    assert events_digest(back) == events_digest(market.log)
    assert events_digest(market.log[:-1]) != events_digest(market.log)


def test_a_record_is_plain_json() -> None:
    record = to_record(AnnounceBidding(INSTRUMENT, "a1", "S", Side.SELL, 5, 6_000, 1, 2, 0, None))
    assert record["type"] == "AnnounceBidding"
    assert record["side"] == "SELL"
    assert json.loads(json.dumps(record)) == record
