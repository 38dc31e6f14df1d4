"""The clearing ledger's state and ``evolve``: cash per account, withdrawals, trades, days.

``evolve`` applies one recorded event without judging it (the judging was done by ``decide``
when it was recorded), so replaying a log always reaches the state it was recorded from.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from cqx_settlement.domain.events import (
    CashWithdrawalRefused,
    CashWithdrawalRequested,
    CashWithdrawn,
    DeliveryConfirmed,
    DeliveryRefused,
    Event,
    ExchangeDayReported,
    FundsDeposited,
    ReconciliationBreak,
    SettlementDayClosed,
    TradeSettled,
    TradeSettlementFailed,
)

SELLER_LEG, BUYER_LEG, BOTH_LEGS = "SELLER", "BUYER", "BOTH"


class WithdrawalStatus(enum.Enum):
    """Where a withdrawal stands."""

    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    REFUSED = "REFUSED"


class DayStatus(enum.Enum):
    """Where a settlement day stands."""

    OPEN = "OPEN"
    CLOSED = "CLOSED"
    BROKEN = "BROKEN"


@dataclass
class CashAccount:
    """One trading account's cash in the clearing account, in fen."""

    account_id: str
    balance: int = 0
    pending: dict[str, int] = field(default_factory=dict)  # withdrawal id → amount

    @property
    def pending_total(self) -> int:
        """What pending withdrawals hold."""
        return sum(self.pending.values())

    @property
    def available(self) -> int:
        """What a new withdrawal may take: the balance less what pending ones hold."""
        return self.balance - self.pending_total


@dataclass
class Withdrawal:
    """One request to take cash out, and its answer."""

    withdrawal_id: str
    account_id: str
    amount: int
    status: WithdrawalStatus = WithdrawalStatus.PENDING
    reason: str = ""


Settlement = TradeSettled | TradeSettlementFailed


@dataclass
class SettlementDay:
    """One trading date as the clearing house sees it, across instruments."""

    trading_date: str
    status: DayStatus = DayStatus.OPEN
    trade_ids: list[str] = field(default_factory=list)  # in settlement order
    trades_settled: int = 0
    trades_failed: int = 0
    cash_moved: int = 0  # Σ what buyers paid (price × quantity + buyer fee)
    tonnes_delivered: int = 0
    fees: int = 0
    settled_volume: dict[str, int] = field(default_factory=dict)  # instrument → tonnes
    unsettled: dict[str, int] = field(default_factory=dict)  # failed trade id → tonnes
    instruments_traded: set[str] = field(default_factory=set)
    exchange_volume: dict[str, int] = field(default_factory=dict)  # as the exchange reported
    breaks: list[ReconciliationBreak] = field(default_factory=list)
    # What the registry reports it did with the allowance legs (R-S2):
    delivered: dict[str, set[str]] = field(default_factory=dict)  # trade id → legs applied
    refused: dict[str, DeliveryRefused] = field(default_factory=dict)  # trade id → refusal
    registry_moves: dict[tuple[str, str], int] = field(default_factory=dict)  # (account,
    # instrument) → net tonnes the registry moved into (+) or out of (−) its trading position


@dataclass
class ClearingLedger:
    """Everything the clearing house knows, rebuilt by folding its own log."""

    accounts: dict[str, CashAccount] = field(default_factory=dict)
    withdrawals: dict[str, Withdrawal] = field(default_factory=dict)
    settlements: dict[str, Settlement] = field(default_factory=dict)  # trade id → outcome
    settlement_order: list[str] = field(default_factory=list)
    days: dict[str, SettlementDay] = field(default_factory=dict)
    deposited: int = 0  # Σ deposits
    withdrawn: int = 0  # Σ completed withdrawals

    def account(self, account_id: str) -> CashAccount:
        """The account's cash, created empty on first touch."""
        found = self.accounts.get(account_id)
        if found is None:
            found = self.accounts[account_id] = CashAccount(account_id)
        return found

    def day(self, trading_date: str) -> SettlementDay:
        """The settlement day, created open on first touch."""
        found = self.days.get(trading_date)
        if found is None:
            found = self.days[trading_date] = SettlementDay(trading_date)
        return found

    def total_balances(self) -> int:
        """Σ balances over every account, the fee account included."""
        return sum(a.balance for a in self.accounts.values())


def evolve(ledger: ClearingLedger, event: Event) -> ClearingLedger:
    """Apply ``event`` to ``ledger`` (in place, for speed) and return it."""
    match event:
        case FundsDeposited():
            ledger.account(event.account_id).balance += event.amount
            ledger.deposited += event.amount
        case CashWithdrawalRequested():
            ledger.account(event.account_id).pending[event.withdrawal_id] = event.amount
            ledger.withdrawals[event.withdrawal_id] = Withdrawal(
                event.withdrawal_id, event.account_id, event.amount
            )
        case CashWithdrawn():
            _answer(ledger, event.withdrawal_id, event.account_id, WithdrawalStatus.COMPLETED, "")
            ledger.account(event.account_id).balance -= event.amount
            ledger.withdrawn += event.amount
        case CashWithdrawalRefused():
            refused = WithdrawalStatus.REFUSED
            _answer(ledger, event.withdrawal_id, event.account_id, refused, event.reason)
        case TradeSettled():
            _apply_settled(ledger, event)
        case TradeSettlementFailed():
            _apply_failed(ledger, event)
        case ExchangeDayReported():
            ledger.day(event.trading_date).exchange_volume[event.instrument] = event.volume
        case SettlementDayClosed():
            ledger.day(event.trading_date).status = DayStatus.CLOSED
        case DeliveryConfirmed():
            _apply_delivered(ledger.day(event.trading_date), event)
        case DeliveryRefused():
            ledger.day(event.trading_date).refused[event.trade_id] = event
        case ReconciliationBreak():
            day = ledger.day(event.trading_date)
            day.breaks.append(event)
            day.status = DayStatus.BROKEN
    return ledger


def _answer(
    ledger: ClearingLedger, withdrawal_id: str, account_id: str, status: WithdrawalStatus, why: str
) -> None:
    ledger.account(account_id).pending.pop(withdrawal_id, None)
    withdrawal = ledger.withdrawals.get(withdrawal_id)
    if withdrawal is not None:
        withdrawal.status = status
        withdrawal.reason = why


def _apply_settled(ledger: ClearingLedger, event: TradeSettled) -> None:
    ledger.account(event.buyer_account_id).balance -= event.buyer_paid
    ledger.account(event.seller_account_id).balance += event.seller_received
    ledger.account(event.fee_account_id).balance += event.fee
    _remember(ledger, event)
    day = ledger.day(event.trading_date)
    day.trades_settled += 1
    day.cash_moved += event.buyer_paid
    day.tonnes_delivered += event.quantity
    day.fees += event.fee
    day.settled_volume[event.instrument] = (
        day.settled_volume.get(event.instrument, 0) + event.quantity
    )


def _apply_failed(ledger: ClearingLedger, event: TradeSettlementFailed) -> None:
    _remember(ledger, event)
    day = ledger.day(event.trading_date)
    day.trades_failed += 1
    day.unsettled[event.trade_id] = event.quantity


def _remember(ledger: ClearingLedger, event: Settlement) -> None:
    if event.trade_id not in ledger.settlements:
        ledger.settlement_order.append(event.trade_id)
        ledger.day(event.trading_date).trade_ids.append(event.trade_id)
    ledger.settlements[event.trade_id] = event
    ledger.day(event.trading_date).instruments_traded.add(event.instrument)


def _apply_delivered(day: SettlementDay, event: DeliveryConfirmed) -> None:
    day.delivered.setdefault(event.trade_id, set()).add(event.leg)
    moves = day.registry_moves
    if event.leg in (BUYER_LEG, BOTH_LEGS):
        buyer = (event.buyer_account_id, event.instrument)
        moves[buyer] = moves.get(buyer, 0) + event.quantity
    if event.leg in (SELLER_LEG, BOTH_LEGS):
        seller = (event.seller_account_id, event.instrument)
        moves[seller] = moves.get(seller, 0) - event.quantity


def fully_delivered(day: SettlementDay, trade_id: str) -> bool:
    """Whether the registry has applied both sides of the trade's allowance leg."""
    legs = day.delivered.get(trade_id, set())
    return BOTH_LEGS in legs or {SELLER_LEG, BUYER_LEG} <= legs
