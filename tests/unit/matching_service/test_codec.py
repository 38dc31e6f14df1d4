"""The event codec: every event the service records survives the round trip, and the
contract messages other services consume carry the fields they read."""

from __future__ import annotations

from datetime import date

import pytest
from cqx.matching.v1 import events_pb2 as pb

from cqx_matching.adapters import codec
from cqx_matching.application.provenance import Provenance
from cqx_matching.domain import (
    AllowancesAssigned,
    AllowancesWithdrawn,
    BiddingAnnounced,
    BiddingClosed,
    BidReleased,
    BidSubmitted,
    BlockTradeAgreed,
    BlockTradeCountered,
    BlockTradeExpired,
    BlockTradeProposed,
    BlockTradeWithdrawn,
    CancelReason,
    CommandRejected,
    DayClosed,
    Event,
    FundsDeposited,
    FundsWithdrawn,
    InstrumentConfig,
    InstrumentDayOpened,
    InstrumentListed,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderReduced,
    OrderRejected,
    OrderReplaced,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
    TradeExecuted,
    TradingDayClosed,
    TradingDayOpened,
    TradingMode,
    TradingReinstated,
    TradingRestricted,
)
from cqx_matching.domain.events import EVENT_TYPES

I, DAY, AT = "CEA-2024", date(2025, 3, 3), 1_740_967_200_000_000  # noqa: E741 (I: instrument)
C, L = TradingMode.CONTINUOUS, TradingMode.LISTED
EXAMPLES: list[Event] = [
    OrderAccepted(I, "o1", "a", Side.BUY, 6_000, 10, C, OrderType.LIMIT, TimeInForce.DAY, False,
                  AT),
    OrderAccepted(I, "o2", "a", Side.SELL, 6_000, 10, L, OrderType.MARKET_TO_LIMIT,
                  TimeInForce.FOK, True, AT),
    OrderAccepted(I, "o4", "a", Side.BUY, 6_000, 10, C, OrderType.LIMIT, TimeInForce.DAY, False,
                  AT, SelfTradePrevention.CANCEL_BOTH),
    OrderRejected(I, "o3", "a", "PlaceOrder", "PRICE_OUTSIDE_BAND", AT),
    OrderCancelled(I, "o1", "a", C, 4, CancelReason.SELF_TRADE_PREVENTED, AT),
    OrderReduced(I, "o1", "a", L, 3, AT),
    OrderReplaced(I, "o1", "a", C, 6_100, 5, AT),
    OrderExpired(I, "o1", "a", L, 5, AT),
    TradeExecuted(I, 7, C, 6_000, 10, "o1", "a", "o2", "b", Side.SELL, 30, 30, AT),
    TradeExecuted(I, 8, TradingMode.BLOCK, 6_000, 10, "n", "a", "n", "b", None, 30, 30, AT),
    BlockTradeProposed(I, "n", "a", None, Side.BUY, 6_000, 100_000, AT),
    BlockTradeProposed(I, "n", "a", "b", Side.SELL, 6_000, 100_000, AT),
    BlockTradeCountered(I, "n", "b", 5_900, 100_000, AT),
    BlockTradeAgreed(I, "n", "a", 5_900, 100_000, AT),
    BlockTradeWithdrawn(I, "n", "a", AT),
    BlockTradeExpired(I, "n", AT),
    BiddingAnnounced(I, "x", "a", Side.SELL, 1_000, 6_000, AT, AT + 1, frozenset({"b", "c"}), AT),
    BiddingAnnounced(I, "x", "a", Side.BUY, 1_000, 6_000, AT, AT + 1, None, AT),
    BidSubmitted(I, "x", "y", "b", 6_100, 600, AT),
    BidReleased(I, "x", "y", "b", 200, AT),
    BiddingClosed(I, "x", 400, AT),
    FundsDeposited("a", 100, AT),
    FundsWithdrawn("a", 50, AT),
    AllowancesAssigned("a", I, 70, AT),
    AllowancesWithdrawn("a", I, 20, AT),
    TradingDayOpened(DAY, AT),
    DayClosed(I, DAY, 1, 2, 3, 4, 5, 6, 7, 8, 9, AT),
    TradingDayClosed(DAY, AT),
    CommandRejected(None, "OpenTradingDay", "2025-03-03", None, "NOT_A_TRADING_DAY", AT),
    CommandRejected(I, "SubmitBid", "y", "b", "AUCTION_CLOSED", AT),
    InstrumentListed(
        InstrumentConfig(I, 0, tick=10, fee_bps=7, modes=frozenset({C, L}),
                         self_trade_prevention=SelfTradePrevention.CANCEL_BOTH),
        AT,
    ),
    InstrumentDayOpened(I, DAY, 6_005, AT),
    OrderCancelled(I, "o9", "a", L, 4, CancelReason.PARTICIPANT_RESTRICTED, AT),
    TradingRestricted("keu-a", frozenset({"a", "a2"}), "court order 17", AT),
    TradingReinstated("keu-a", frozenset({"a", "a2"}), AT),
    TradingReinstated("keu-b", frozenset(), AT),
]  # fmt: skip


def test_every_engine_event_type_has_an_example() -> None:
    assert {type(e) for e in EXAMPLES} >= set(EVENT_TYPES)


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_every_event_survives_the_round_trip(event: Event) -> None:
    event_type, payload = codec.encode(event, "2025-03-03")
    assert event_type.startswith("cqx.matching.v1.")
    assert codec.is_own(event_type)
    assert codec.decode(event_type, payload) == event


def test_a_trade_is_published_with_a_trade_id_unique_across_instruments_and_its_date() -> None:
    trade = TradeExecuted(I, 7, C, 6_000, 10, "o1", "a", "o2", "b", Side.BUY, 30, 31, AT)
    message = codec.to_message(trade, "2025-03-03")
    assert isinstance(message, pb.TradeExecuted)
    assert (message.trade_id, message.trade_sequence, message.trading_date) == (
        "CEA-2024-7", 7, "2025-03-03",
    )  # fmt: skip
    assert (message.buyer_fee_fen, message.seller_fee_fen, message.aggressor) == (
        30,
        31,
        pb.SIDE_BUY,
    )


def test_the_days_figures_are_the_contracts_trading_day_closed() -> None:
    event_type, payload = codec.encode(DayClosed(I, DAY, 6_000, 6_100, 5_990, 6_075, 400,
                                                 2_430_000, 400, 2_430_000, 2, AT))  # fmt: skip
    assert event_type == "cqx.matching.v1.TradingDayClosed"
    closed = pb.TradingDayClosed.FromString(payload)
    assert (closed.instrument, closed.trading_date, closed.close_fen) == (I, "2025-03-03", 6_075)
    assert (closed.volume_tonnes, closed.turnover_fen) == (400, 2_430_000)


def test_ledger_events_carry_their_provenance() -> None:
    credited = codec.to_message(AllowancesAssigned("a", I, 70, AT), provenance=Provenance("src"))
    assert isinstance(credited, pb.AllowancesCredited)
    assert credited.source_event_id == "src"
    approved = codec.to_message(
        FundsWithdrawn("a", 50, AT), provenance=Provenance("s", withdrawal_id="w")
    )
    assert isinstance(approved, pb.CashWithdrawalApproved)
    assert approved.withdrawal_id == "w"
    moved = codec.to_message(
        AllowancesWithdrawn("a", I, 20, AT), provenance=Provenance("s", move_id="m")
    )
    assert isinstance(moved, pb.AllowanceWithdrawalApproved)
    assert moved.move_id == "m"


def test_refused_withdrawals_are_the_contracts_refusals_and_decode_as_rejections() -> None:
    refusal = CommandRejected(I, "WithdrawAllowances", "a", "a", "INSUFFICIENT_ALLOWANCES", AT)
    event_type, payload = codec.encode(refusal, provenance=Provenance("s", move_id="m", quantity=9))
    message = pb.AllowanceWithdrawalRefused.FromString(payload)
    assert (message.move_id, message.quantity_tonnes, message.reason) == (
        "m", 9, "INSUFFICIENT_ALLOWANCES",
    )  # fmt: skip
    assert codec.decode(event_type, payload) == refusal
    cash = CommandRejected(None, "WithdrawFunds", "a", "a", "INSUFFICIENT_FUNDS", AT)
    event_type, payload = codec.encode(
        cash, provenance=Provenance("s", withdrawal_id="w", quantity=5)
    )
    assert pb.CashWithdrawalRefused.FromString(payload).amount_fen == 5
    assert codec.decode(event_type, payload) == cash
