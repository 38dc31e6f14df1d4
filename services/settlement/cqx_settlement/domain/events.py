"""What the clearing house records: plain frozen facts, money in integer fen."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FundsDeposited:
    """Cash came into the clearing account for a trading account."""

    deposit_id: str
    account_id: str
    amount: int


@dataclass(frozen=True, slots=True)
class CashWithdrawalRequested:
    """A trading account asked to take cash out; it waits for the exchange's answer."""

    withdrawal_id: str
    account_id: str
    amount: int


@dataclass(frozen=True, slots=True)
class CashWithdrawn:
    """The exchange approved a withdrawal: the cash left the clearing account."""

    withdrawal_id: str
    account_id: str
    amount: int


@dataclass(frozen=True, slots=True)
class CashWithdrawalRefused:
    """A withdrawal was refused (by the exchange, or here); its pending amount is released."""

    withdrawal_id: str
    account_id: str
    amount: int
    reason: str


@dataclass(frozen=True, slots=True)
class TradeSettled:
    """Both legs of a trade moved, delivery versus payment (R-S1).

    ``buyer_paid`` = price × quantity + buyer fee; ``seller_received`` = price × quantity −
    seller fee; ``fee`` = both fees, credited to ``fee_account_id``.
    """

    trade_id: str
    instrument: str
    quantity: int
    price: int
    buyer_account_id: str
    seller_account_id: str
    buyer_paid: int
    seller_received: int
    fee: int
    fee_account_id: str
    trading_date: str
    source_event_id: str

    @property
    def notional(self) -> int:
        """Price × quantity, in fen."""
        return self.price * self.quantity


@dataclass(frozen=True, slots=True)
class TradeSettlementFailed:
    """A trade the exchange reported could not settle; neither leg moved (R-S1)."""

    trade_id: str
    instrument: str
    quantity: int
    price: int
    buyer_account_id: str
    seller_account_id: str
    buyer_fee: int
    seller_fee: int
    trading_date: str
    reason: str
    source_event_id: str


@dataclass(frozen=True, slots=True)
class ExchangeDayReported:
    """The exchange closed an instrument's trading day with this volume and turnover."""

    trading_date: str
    instrument: str
    volume: int
    turnover: int
    source_event_id: str


@dataclass(frozen=True, slots=True)
class SettlementDayClosed:
    """Every trade of the day settled and the day reconciled with the exchange."""

    trading_date: str
    trades_settled: int
    cash_moved: int
    tonnes_delivered: int


@dataclass(frozen=True, slots=True)
class ReconciliationBreak:
    """A mismatch at end of day (R-S2); it blocks the day's close and is never silently fixed.

    ``detail`` starts with a code (``VOLUME_MISMATCH``, ``TRADE_COUNT_MISMATCH``,
    ``UNSETTLED_TRADE``, ``LATE_TRADE``, ``DELIVERY_REFUSED``, ``POSITION_MISMATCH``) followed
    by a sentence.
    """

    trading_date: str
    account_id: str
    instrument: str
    expected: int
    actual: int
    detail: str

    @property
    def code(self) -> str:
        """The code at the head of ``detail``."""
        return self.detail.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class DeliveryConfirmed:
    """The registry applied one side (``leg``: SELLER, BUYER or BOTH) of a settled trade's
    allowance leg, moving what it names."""

    trade_id: str
    trading_date: str
    instrument: str
    seller_account_id: str
    buyer_account_id: str
    quantity: int
    source_event_id: str
    leg: str


@dataclass(frozen=True, slots=True)
class DeliveryRefused:
    """The registry could not apply a settled trade's allowance leg (``reason`` is its own)."""

    trade_id: str
    trading_date: str
    instrument: str
    quantity: int
    reason: str
    source_event_id: str


Event = (
    FundsDeposited
    | CashWithdrawalRequested
    | CashWithdrawn
    | CashWithdrawalRefused
    | TradeSettled
    | TradeSettlementFailed
    | ExchangeDayReported
    | SettlementDayClosed
    | ReconciliationBreak
    | DeliveryConfirmed
    | DeliveryRefused
)
