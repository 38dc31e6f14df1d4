"""What may be asked of the clearing house: by clients (gRPC), by the exchange and by the
registry (events).

Ids (deposit and withdrawal ids) are chosen by the application and come in with the command.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DepositFunds:
    """The operator credits cash to a trading account."""

    deposit_id: str
    account_id: str
    amount: int


@dataclass(frozen=True, slots=True)
class RequestWithdrawal:
    """A trading account asks to take cash out (the exchange must approve)."""

    withdrawal_id: str
    account_id: str
    amount: int


@dataclass(frozen=True, slots=True)
class CompleteWithdrawal:
    """The exchange approved a withdrawal (matching ``CashWithdrawalApproved``)."""

    withdrawal_id: str
    account_id: str
    amount: int


@dataclass(frozen=True, slots=True)
class RefuseWithdrawal:
    """The exchange refused a withdrawal (matching ``CashWithdrawalRefused``)."""

    withdrawal_id: str
    account_id: str
    amount: int
    reason: str


@dataclass(frozen=True, slots=True)
class SettleTrade:
    """Settle a trade the exchange executed (matching ``TradeExecuted``); fees come with it."""

    trade_id: str
    instrument: str
    price: int
    quantity: int
    buyer_account_id: str
    seller_account_id: str
    buyer_fee: int
    seller_fee: int
    trading_date: str
    source_event_id: str


@dataclass(frozen=True, slots=True)
class RecordExchangeDay:
    """The exchange closed an instrument's day (matching ``TradingDayClosed``)."""

    trading_date: str
    instrument: str
    volume: int
    turnover: int
    source_event_id: str


@dataclass(frozen=True, slots=True)
class ConfirmDelivery:
    """The registry applied one side of a trade's allowance leg (registry
    ``TradeDeliveryApplied``, recorded once on each party's account stream): ``leg`` is
    SELLER, BUYER or BOTH (seller and buyer are one account)."""

    trade_id: str
    instrument: str
    seller_account_id: str
    buyer_account_id: str
    quantity: int
    source_event_id: str
    leg: str


@dataclass(frozen=True, slots=True)
class RecordDeliveryRefused:
    """The registry refused a trade's allowance leg (registry ``TradeDeliveryRejected``)."""

    trade_id: str
    reason: str
    source_event_id: str


@dataclass(frozen=True, slots=True)
class CloseSettlementDay:
    """Close a settlement day; the optional figures are the operator's own expectations."""

    trading_date: str
    expected_trade_count: int | None = None
    expected_volume: int | None = None


Command = (
    DepositFunds
    | RequestWithdrawal
    | CompleteWithdrawal
    | RefuseWithdrawal
    | SettleTrade
    | RecordExchangeDay
    | ConfirmDelivery
    | RecordDeliveryRefused
    | CloseSettlementDay
)
