"""``decide``: what a command causes, given the ledger; the one entry point of the rules."""

from __future__ import annotations

from dataclasses import dataclass

from cqx_settlement.domain import cash, days, deliveries, trades
from cqx_settlement.domain.commands import (
    CloseSettlementDay,
    Command,
    CompleteWithdrawal,
    ConfirmDelivery,
    DepositFunds,
    RecordDeliveryRefused,
    RecordExchangeDay,
    RefuseWithdrawal,
    RequestWithdrawal,
    SettleTrade,
)
from cqx_settlement.domain.events import Event
from cqx_settlement.domain.ledger import ClearingLedger


@dataclass(frozen=True)
class ClearingRules:
    """The operator's settings the rules depend on."""

    fee_account_id: str = "exchange-fees"


def decide(ledger: ClearingLedger, command: Command, rules: ClearingRules) -> list[Event]:
    """The events ``command`` causes; raises a SettlementError if it is refused.

    Nothing is changed here: the caller applies the events with ``evolve``.
    """
    match command:
        case DepositFunds():
            return cash.deposit(ledger, command, rules.fee_account_id)
        case RequestWithdrawal():
            return cash.request_withdrawal(ledger, command, rules.fee_account_id)
        case CompleteWithdrawal():
            return cash.complete_withdrawal(ledger, command)
        case RefuseWithdrawal():
            return cash.refuse_withdrawal(ledger, command)
        case SettleTrade():
            return trades.settle_trade(ledger, command, rules.fee_account_id)
        case RecordExchangeDay():
            return days.record_exchange_day(ledger, command)
        case ConfirmDelivery():
            return deliveries.confirm_delivery(ledger, command)
        case RecordDeliveryRefused():
            return deliveries.record_refused(ledger, command)
        case CloseSettlementDay():
            return days.close_day(ledger, command)
