"""The events the clearing house acts on, as commands: the exchange's (``cqx.matching.v1``)
trades, day closes and withdrawal answers, and the registry's (``cqx.registry.v1``) answers
for the allowance legs it was given."""

from __future__ import annotations

from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import events_pb2 as matching
from cqx.registry.v1 import events_pb2 as registry

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

TRADE_EXECUTED = matching.TradeExecuted.DESCRIPTOR.full_name
TRADING_DAY_CLOSED = matching.TradingDayClosed.DESCRIPTOR.full_name
CASH_WITHDRAWAL_APPROVED = matching.CashWithdrawalApproved.DESCRIPTOR.full_name
CASH_WITHDRAWAL_REFUSED = matching.CashWithdrawalRefused.DESCRIPTOR.full_name
DELIVERY_APPLIED = registry.TradeDeliveryApplied.DESCRIPTOR.full_name
DELIVERY_REJECTED = registry.TradeDeliveryRejected.DESCRIPTOR.full_name
FROM_MATCHING = frozenset(
    {TRADE_EXECUTED, TRADING_DAY_CLOSED, CASH_WITHDRAWAL_APPROVED, CASH_WITHDRAWAL_REFUSED}
)
FROM_REGISTRY = frozenset({DELIVERY_APPLIED, DELIVERY_REJECTED})


def command_for(envelope: EventEnvelope) -> Command | None:
    """The command an event asks of the clearing house, or None if it asks nothing."""
    kind, payload, event_id = envelope.event_type, envelope.payload, envelope.event_id
    if kind == TRADE_EXECUTED:
        return _settle(matching.TradeExecuted.FromString(payload), event_id)
    if kind == TRADING_DAY_CLOSED:
        day = matching.TradingDayClosed.FromString(payload)
        return RecordExchangeDay(
            day.trading_date, day.instrument, day.volume_tonnes, day.turnover_fen, event_id
        )
    if kind == CASH_WITHDRAWAL_APPROVED:
        approved = matching.CashWithdrawalApproved.FromString(payload)
        return CompleteWithdrawal(approved.withdrawal_id, approved.account_id, approved.amount_fen)
    if kind == CASH_WITHDRAWAL_REFUSED:
        refused = matching.CashWithdrawalRefused.FromString(payload)
        return RefuseWithdrawal(
            refused.withdrawal_id, refused.account_id, refused.amount_fen, refused.reason
        )
    if kind == DELIVERY_APPLIED:
        applied = registry.TradeDeliveryApplied.FromString(payload)
        seller, buyer = applied.seller_account_id, applied.buyer_account_id
        return ConfirmDelivery(
            applied.trade_id, applied.instrument, seller, buyer, applied.quantity_tonnes,
            event_id, delivery_leg(seller, buyer, envelope.stream_id),
        )  # fmt: skip
    if kind == DELIVERY_REJECTED:
        rejected = registry.TradeDeliveryRejected.FromString(payload)
        return RecordDeliveryRefused(rejected.trade_id, rejected.reason, event_id)
    return None


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


def _settle(trade: matching.TradeExecuted, event_id: str) -> SettleTrade:
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
        source_event_id=event_id,
    )
