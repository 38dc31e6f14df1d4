"""The registry's answers for allowance legs: applied, or refused (R-S2).

Settlement instructs the registry by publishing ``TradeSettled``; the registry answers with
``TradeDeliveryApplied`` once on each party's account stream (the seller's side and the
buyer's side; one event when both are one account) or with ``TradeDeliveryRejected``. Each
answer is recorded against the trade's day, so that the day closes only once the registry has
answered for both sides of every trade that settled, and its moves equal the trades'.
"""

from __future__ import annotations

from cqx_settlement.domain.commands import ConfirmDelivery, RecordDeliveryRefused
from cqx_settlement.domain.errors import InvalidSettlementRequestError
from cqx_settlement.domain.events import (
    DeliveryConfirmed,
    DeliveryRefused,
    Event,
    ReconciliationBreak,
    TradeSettled,
)
from cqx_settlement.domain.ledger import (
    BOTH_LEGS,
    BUYER_LEG,
    SELLER_LEG,
    ClearingLedger,
    DayStatus,
)


def confirm_delivery(ledger: ClearingLedger, c: ConfirmDelivery) -> list[Event]:
    """Record the registry's moves for a settled trade, once."""
    if c.leg not in (SELLER_LEG, BUYER_LEG, BOTH_LEGS):
        raise InvalidSettlementRequestError(
            f"a delivery of trade {c.trade_id!r} names no side: {c.leg!r}",
            reason="DELIVERY_LEG_UNKNOWN",
        )
    settled = _settled(ledger, c.trade_id)
    day = ledger.day(settled.trading_date)
    if c.leg in day.delivered.get(c.trade_id, set()) or c.trade_id in day.refused:
        return []
    return [
        DeliveryConfirmed(
            c.trade_id, settled.trading_date, c.instrument, c.seller_account_id,
            c.buyer_account_id, c.quantity, c.source_event_id, c.leg,
        )
    ]  # fmt: skip


def record_refused(ledger: ClearingLedger, c: RecordDeliveryRefused) -> list[Event]:
    """Record that the registry refused a settled trade's allowance leg, once; after the day
    closed, it is also a break of that day."""
    settled = _settled(ledger, c.trade_id)
    day = ledger.day(settled.trading_date)
    if c.trade_id in day.delivered or c.trade_id in day.refused:
        return []  # the registry applied it, or refused it once already
    refused = DeliveryRefused(
        c.trade_id, settled.trading_date, settled.instrument, settled.quantity, c.reason,
        c.source_event_id,
    )  # fmt: skip
    if day.status is DayStatus.CLOSED:
        return [refused, refused_break(refused)]
    return [refused]


def refused_break(refused: DeliveryRefused) -> ReconciliationBreak:
    """The break a refused delivery is at end of day."""
    return ReconciliationBreak(
        refused.trading_date, "", refused.instrument, refused.quantity, 0,
        f"DELIVERY_REFUSED: the registry refused trade {refused.trade_id}'s allowances "
        f"({refused.reason})",
    )  # fmt: skip


def _settled(ledger: ClearingLedger, trade_id: str) -> TradeSettled:
    settled = ledger.settlements.get(trade_id)
    if not isinstance(settled, TradeSettled):
        raise InvalidSettlementRequestError(
            f"the registry answered for trade {trade_id!r}, which did not settle here",
            reason="DELIVERY_OF_UNSETTLED_TRADE",
        )
    return settled
