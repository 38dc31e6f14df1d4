"""The events the clearing house acts on, as commands: the exchange's (``cqx.matching.v1``)
trades, day closes and withdrawal answers, and the registry's (``cqx.registry.v1``) answers
for the allowance legs it was given."""

from __future__ import annotations

from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import events_pb2 as matching
from cqx.registry.v1 import events_pb2 as registry

from cqx_service import ForeignEvents
from cqx_settlement.domain.commands import (
    Command,
    CompleteWithdrawal,
    ConfirmDelivery,
    RecordDeliveryRefused,
    RecordExchangeDay,
    RefuseWithdrawal,
    SettleTrade,
)
from cqx_settlement.domain.ledger import BOTH_LEGS, BUYER_LEG, SELLER_LEG


def _settle(trade: matching.TradeExecuted, envelope: EventEnvelope) -> Command:
    return SettleTrade(
        trade_id=trade.trade_id,
        instrument=trade.instrument,
        price=trade.price_fen,
        quantity=trade.quantity_tonnes,
        buyer_account_id=trade.buyer_account_id,
        seller_account_id=trade.seller_account_id,
        buyer_fee=trade.buyer_fee_fen,
        seller_fee=trade.seller_fee_fen,
        trading_date=trade.trading_date,
        source_event_id=envelope.event_id,
    )


def _day_closed(day: matching.TradingDayClosed, envelope: EventEnvelope) -> Command:
    return RecordExchangeDay(
        day.trading_date, day.instrument, day.volume_tonnes, day.turnover_fen, envelope.event_id
    )


def _cash_approved(approved: matching.CashWithdrawalApproved, _: EventEnvelope) -> Command:
    return CompleteWithdrawal(approved.withdrawal_id, approved.account_id, approved.amount_fen)


def _cash_refused(refused: matching.CashWithdrawalRefused, _: EventEnvelope) -> Command:
    return RefuseWithdrawal(
        refused.withdrawal_id, refused.account_id, refused.amount_fen, refused.reason
    )


def _delivered(applied: registry.TradeDeliveryApplied, envelope: EventEnvelope) -> Command:
    seller, buyer = applied.seller_account_id, applied.buyer_account_id
    return ConfirmDelivery(
        applied.trade_id, applied.instrument, seller, buyer, applied.quantity_tonnes,
        envelope.event_id, delivery_leg(seller, buyer, envelope.stream_id),
    )  # fmt: skip


def _refused(rejected: registry.TradeDeliveryRejected, envelope: EventEnvelope) -> Command:
    return RecordDeliveryRefused(rejected.trade_id, rejected.reason, envelope.event_id)


def delivery_leg(seller: str, buyer: str, stream_id: str) -> str:
    """Which side of a delivery a registry event applies: the registry records it once on
    each party's account stream, ``account-<id>`` (its published contract)."""
    if seller == buyer:
        return BOTH_LEGS
    if stream_id == f"account-{seller}":
        return SELLER_LEG
    if stream_id == f"account-{buyer}":
        return BUYER_LEG
    return ""  # refused by the rules as naming no side


# One consumer per source: a source added later never makes an existing one start over.
FOREIGN: ForeignEvents[Command] = ForeignEvents(
    {
        "matching": {
            matching.TradeExecuted: _settle,
            matching.TradingDayClosed: _day_closed,
            matching.CashWithdrawalApproved: _cash_approved,
            matching.CashWithdrawalRefused: _cash_refused,
        },
        "registry": {
            registry.TradeDeliveryApplied: _delivered,
            registry.TradeDeliveryRejected: _refused,
        },
    }
)
