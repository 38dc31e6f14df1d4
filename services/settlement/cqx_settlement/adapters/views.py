"""The ledger's state as ``cqx.settlement.v1`` service messages."""

from __future__ import annotations

from cqx.settlement.v1 import events_pb2
from cqx.settlement.v1 import settlement_service_pb2 as api

from cqx_settlement.domain.events import ReconciliationBreak, TradeSettled
from cqx_settlement.domain.ledger import (
    CashAccount,
    DayStatus,
    Settlement,
    SettlementDay,
    Withdrawal,
    WithdrawalStatus,
)

_WITHDRAWAL_STATUS = {
    WithdrawalStatus.PENDING: api.WITHDRAWAL_STATUS_PENDING,
    WithdrawalStatus.COMPLETED: api.WITHDRAWAL_STATUS_COMPLETED,
    WithdrawalStatus.REFUSED: api.WITHDRAWAL_STATUS_REFUSED,
}
_DAY_STATUS = {
    DayStatus.OPEN: api.SETTLEMENT_DAY_STATUS_OPEN,
    DayStatus.CLOSED: api.SETTLEMENT_DAY_STATUS_CLOSED,
    DayStatus.BROKEN: api.SETTLEMENT_DAY_STATUS_BROKEN,
}


def withdrawal_view(withdrawal: Withdrawal) -> api.Withdrawal:
    """A withdrawal and where it stands."""
    return api.Withdrawal(
        withdrawal_id=withdrawal.withdrawal_id,
        account_id=withdrawal.account_id,
        amount_fen=withdrawal.amount,
        status=_WITHDRAWAL_STATUS[withdrawal.status],
        refusal_reason=withdrawal.reason,
    )


def balance_view(account: CashAccount) -> api.GetCashBalanceResponse:
    """An account's cash."""
    return api.GetCashBalanceResponse(
        account_id=account.account_id,
        balance_fen=account.balance,
        pending_withdrawals_fen=account.pending_total,
        available_fen=account.available,
    )


def unknown_settlement(trade_id: str) -> api.TradeSettlement:
    """A trade the clearing house never saw."""
    return api.TradeSettlement(trade_id=trade_id, status=api.SETTLEMENT_STATUS_UNKNOWN)


def settlement_view(settlement: Settlement) -> api.TradeSettlement:
    """How a trade settled: its legs, or why it failed."""
    view = api.TradeSettlement(
        trade_id=settlement.trade_id,
        instrument=settlement.instrument,
        price_fen=settlement.price,
        quantity_tonnes=settlement.quantity,
        buyer_account_id=settlement.buyer_account_id,
        seller_account_id=settlement.seller_account_id,
        trading_date=settlement.trading_date,
    )
    if not isinstance(settlement, TradeSettled):
        view.status = api.SETTLEMENT_STATUS_FAILED
        view.failure_reason = settlement.reason
        return view
    view.status = api.SETTLEMENT_STATUS_SETTLED
    view.buyer_paid_fen = settlement.buyer_paid
    view.seller_received_fen = settlement.seller_received
    view.fee_fen = settlement.fee
    view.fee_account_id = settlement.fee_account_id
    view.legs.extend(_legs(settlement))
    return view


def day_view(day: SettlementDay) -> api.SettlementDay:
    """A settlement day, its totals, what the exchange reported and its breaks."""
    return api.SettlementDay(
        trading_date=day.trading_date,
        status=_DAY_STATUS[day.status],
        trades_settled=day.trades_settled,
        trades_failed=day.trades_failed,
        cash_moved_fen=day.cash_moved,
        tonnes_delivered=day.tonnes_delivered,
        fees_fen=day.fees,
        exchange_volumes=[
            api.ExchangeVolume(instrument=instrument, volume_tonnes=volume)
            for instrument, volume in sorted(day.exchange_volume.items())
        ],
        breaks=[_break_view(b) for b in day.breaks],
    )


def _legs(t: TradeSettled) -> list[api.SettlementLeg]:
    legs = [
        api.SettlementLeg(
            kind=api.LEG_KIND_ALLOWANCE, from_account_id=t.seller_account_id,
            to_account_id=t.buyer_account_id, instrument=t.instrument, quantity_tonnes=t.quantity,
        ),
        api.SettlementLeg(
            kind=api.LEG_KIND_CASH, from_account_id=t.buyer_account_id,
            to_account_id=t.seller_account_id, amount_fen=t.notional,
        ),
    ]  # fmt: skip
    buyer_fee = t.buyer_paid - t.notional
    seller_fee = t.notional - t.seller_received
    for payer, fee in ((t.buyer_account_id, buyer_fee), (t.seller_account_id, seller_fee)):
        if fee:
            legs.append(
                api.SettlementLeg(
                    kind=api.LEG_KIND_CASH, from_account_id=payer,
                    to_account_id=t.fee_account_id, amount_fen=fee,
                )
            )  # fmt: skip
    return legs


def _break_view(b: ReconciliationBreak) -> events_pb2.ReconciliationBreak:
    return events_pb2.ReconciliationBreak(
        trading_date=b.trading_date, account_id=b.account_id, instrument=b.instrument,
        expected=b.expected, actual=b.actual, detail=b.detail,
    )  # fmt: skip
