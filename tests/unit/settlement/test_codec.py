"""The stored form of every event, and the exchange's events read as commands."""

from __future__ import annotations

import uuid

import pytest
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import events_pb2 as matching
from cqx.registry.v1 import events_pb2 as registry
from cqx.settlement.v1 import events_pb2
from google.protobuf.message import Message

from cqx_settlement.adapters.codec import CODEC
from cqx_settlement.adapters.foreign import FOREIGN
from cqx_settlement.domain import events
from cqx_settlement.domain.commands import (
    CompleteWithdrawal,
    ConfirmDelivery,
    RecordDeliveryRefused,
    RecordExchangeDay,
    SettleTrade,
)

EXAMPLES: list[events.Event] = [
    events.FundsDeposited("d1", "acme", 100),
    events.CashWithdrawalRequested("w1", "acme", 40),
    events.CashWithdrawn("w1", "acme", 40),
    events.CashWithdrawalRefused("w2", "acme", 5, "FUNDS_RESERVED"),
    events.TradeSettled(
        "T1", "CEA-2025", 10, 7_463, "b", "s", 74_640, 74_620, 20, "fees", "2025-03-14", "e1"
    ),
    events.TradeSettlementFailed(
        "T2", "CEA-2025", 10, 7_463, "b", "s", 1, 1, "2025-03-14", "INSUFFICIENT_FUNDS", "e2"
    ),
    events.ExchangeDayReported("2025-03-14", "CEA-2025", 10, 74_630, "e3"),
    events.SettlementDayClosed("2025-03-14", 1, 74_640, 10),
    events.ReconciliationBreak("2025-03-14", "", "CEA-2025", 11, 10, "VOLUME_MISMATCH: x"),
    events.DeliveryConfirmed("T1", "2025-03-14", "CEA-2025", "s", "b", 10, "r1", "BUYER"),
    events.DeliveryRefused("T3", "2025-03-14", "CEA-2025", 10, "INSUFFICIENT_TRADING", "r2"),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_every_event_round_trips_under_its_contract_name(event: events.Event) -> None:
    event_type, payload = CODEC.encode(event)
    assert event_type == f"cqx.settlement.v1.{type(event).__name__}"
    assert CODEC.decode(event_type, payload) == event


def test_the_contract_names_the_units() -> None:
    _, payload = CODEC.encode(EXAMPLES[4])
    settled = events_pb2.TradeSettled.FromString(payload)
    assert (settled.buyer_paid_fen, settled.seller_received_fen, settled.fee_fen) == (
        74_640,
        74_620,
        20,
    )
    assert settled.quantity_tonnes == 10


def envelope(message: Message, stream_id: str = "book-CEA-2025") -> EventEnvelope:
    """An event as it arrives on the bus."""
    return EventEnvelope(
        source="matching", position=1, stream_id=stream_id, event_id=str(uuid.uuid4()),
        event_type=message.DESCRIPTOR.full_name, payload=message.SerializeToString(),
    )  # fmt: skip


def test_a_trade_executed_becomes_a_settle_trade_with_the_exchanges_fees() -> None:
    trade = matching.TradeExecuted(
        trade_id="T7", instrument="CEA-2025", price_fen=7_463, quantity_tonnes=10,
        buyer_account_id="b", seller_account_id="s", buyer_fee_fen=4, seller_fee_fen=3,
        trading_date="2025-03-14",
    )  # fmt: skip
    wrapped = envelope(trade)
    assert FOREIGN.command_for(wrapped) == SettleTrade(
        "T7", "CEA-2025", 7_463, 10, "b", "s", 4, 3, "2025-03-14", wrapped.event_id
    )


def test_the_exchanges_day_close_and_withdrawal_answers_become_commands() -> None:
    closed = envelope(
        matching.TradingDayClosed(
            instrument="CEA-2025", trading_date="2025-03-14", volume_tonnes=10, turnover_fen=9
        )
    )
    assert FOREIGN.command_for(closed) == RecordExchangeDay(
        "2025-03-14", "CEA-2025", 10, 9, closed.event_id
    )
    approved = envelope(
        matching.CashWithdrawalApproved(withdrawal_id="w1", account_id="a", amount_fen=5)
    )
    assert FOREIGN.command_for(approved) == CompleteWithdrawal("w1", "a", 5)


def test_other_matching_events_ask_nothing_of_the_clearing_house() -> None:
    opened = matching.TradingDayOpened(instrument="CEA-2025", trading_date="2025-03-14")
    wrapped = EventEnvelope(
        event_type=opened.DESCRIPTOR.full_name, payload=opened.SerializeToString()
    )
    assert FOREIGN.command_for(wrapped) is None


def test_the_registrys_answers_for_allowance_legs_become_commands() -> None:
    delivery = registry.TradeDeliveryApplied(
        trade_id="T1", seller_account_id="s", buyer_account_id="b", instrument="CEA-2025",
        quantity_tonnes=10,
    )  # fmt: skip
    # The registry records a delivery on each party's account stream: the stream is the side.
    for stream, leg in (("account-s", "SELLER"), ("account-b", "BUYER"), ("rejections", "")):
        applied = envelope(delivery, stream)
        assert FOREIGN.command_for(applied) == ConfirmDelivery(
            "T1", "CEA-2025", "s", "b", 10, applied.event_id, leg
        )
    same = registry.TradeDeliveryApplied(trade_id="T3", seller_account_id="a", buyer_account_id="a")
    assert FOREIGN.command_for(envelope(same, "account-a")).leg == "BOTH"  # type: ignore[union-attr]
    rejected = envelope(registry.TradeDeliveryRejected(trade_id="T2", reason="FROZEN"))
    assert FOREIGN.command_for(rejected) == RecordDeliveryRefused("T2", "FROZEN", rejected.event_id)
    opened = envelope(registry.AccountOpened(account_id="a"))
    assert FOREIGN.command_for(opened) is None
