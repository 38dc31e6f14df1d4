"""Settling a trade delivery versus payment: both legs in one event, or a recorded failure.

The fees come in the exchange's trade report; the clearing house does not recompute them.
It checks what it can: the figures are whole, positive where they must be, the fees are not
negative, the notional is price × quantity exactly, and the buyer's cash covers what it pays.
"""

from __future__ import annotations

from cqx_settlement.domain.commands import SettleTrade
from cqx_settlement.domain.errors import InvalidSettlementRequestError
from cqx_settlement.domain.events import (
    Event,
    ReconciliationBreak,
    TradeSettled,
    TradeSettlementFailed,
)
from cqx_settlement.domain.ledger import ClearingLedger, DayStatus
from cqx_settlement.domain.validation import MAX_FEN, account_id_problem, trading_date_problem


def settle_trade(ledger: ClearingLedger, c: SettleTrade, fee_account_id: str) -> list[Event]:
    """Settle ``c`` once (R-S1); a trade seen before changes nothing."""
    if not c.trade_id:
        raise InvalidSettlementRequestError("a trade without an id", reason="TRADE_ID_MISSING")
    if c.trade_id in ledger.settlements:
        return []
    problem = _unsettleable(ledger, c, fee_account_id)
    if problem is not None:
        return [_failed(c, problem)]
    notional = c.price * c.quantity
    settled = TradeSettled(
        trade_id=c.trade_id,
        instrument=c.instrument,
        quantity=c.quantity,
        price=c.price,
        buyer_account_id=c.buyer_account_id,
        seller_account_id=c.seller_account_id,
        buyer_paid=notional + c.buyer_fee,
        seller_received=notional - c.seller_fee,
        fee=c.buyer_fee + c.seller_fee,
        fee_account_id=fee_account_id,
        trading_date=c.trading_date,
        source_event_id=c.source_event_id,
    )
    day = ledger.days.get(c.trading_date)
    if day is not None and day.status is DayStatus.CLOSED:
        return [settled, _late(c)]
    return [settled]


def _unsettleable(ledger: ClearingLedger, c: SettleTrade, fee_account_id: str) -> str | None:
    """Why the trade cannot settle, or None."""
    shape = _malformed(c, fee_account_id)
    if shape is not None:
        return shape
    notional = c.price * c.quantity
    if notional > MAX_FEN - c.buyer_fee - c.seller_fee:
        return "AMOUNT_TOO_LARGE"
    if c.seller_fee > notional:
        return "SELLER_FEE_EXCEEDS_NOTIONAL"
    buyer = ledger.accounts.get(c.buyer_account_id)
    if buyer is None or buyer.balance < notional + c.buyer_fee:
        return "INSUFFICIENT_FUNDS"
    return None


def _malformed(c: SettleTrade, fee_account_id: str) -> str | None:
    """What is wrong with the report itself, whatever the ledger holds, or None."""
    if not c.instrument:
        return "INSTRUMENT_MISSING"
    for account_id in (c.buyer_account_id, c.seller_account_id):
        problem = account_id_problem(account_id)
        if problem is not None:
            return problem
    if fee_account_id in (c.buyer_account_id, c.seller_account_id):
        return "FEE_ACCOUNT_CANNOT_TRADE"
    date_problem = trading_date_problem(c.trading_date)
    if date_problem is not None:
        return date_problem
    if c.price <= 0:
        return "PRICE_NOT_POSITIVE"
    if c.quantity <= 0:
        return "QUANTITY_NOT_POSITIVE"
    if c.buyer_fee < 0 or c.seller_fee < 0:
        return "FEE_NEGATIVE"
    return None


def _failed(c: SettleTrade, reason: str) -> TradeSettlementFailed:
    return TradeSettlementFailed(
        trade_id=c.trade_id,
        instrument=c.instrument,
        quantity=c.quantity,
        price=c.price,
        buyer_account_id=c.buyer_account_id,
        seller_account_id=c.seller_account_id,
        buyer_fee=c.buyer_fee,
        seller_fee=c.seller_fee,
        trading_date=c.trading_date,
        reason=reason,
        source_event_id=c.source_event_id,
    )


def _late(c: SettleTrade) -> ReconciliationBreak:
    return ReconciliationBreak(
        trading_date=c.trading_date,
        account_id="",
        instrument=c.instrument,
        expected=0,
        actual=c.quantity,
        detail=f"LATE_TRADE: trade {c.trade_id} settled after the day was closed",
    )
