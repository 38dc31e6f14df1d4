"""What the clearing house answers, as plain values (money in integer fen)."""

from __future__ import annotations

from dataclasses import dataclass

from cqx.settlement.v1 import settlement_service_pb2 as api

from cqx_sdk.enums import word


@dataclass(frozen=True, slots=True)
class Deposit:
    """A deposit made, and the account's balance after it."""

    deposit_id: str
    account_id: str
    amount_fen: int
    balance_fen: int


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A withdrawal: ``pending``, ``completed`` or ``refused`` (with the reason)."""

    withdrawal_id: str
    account_id: str
    amount_fen: int
    status: str
    refusal_reason: str

    @classmethod
    def from_proto(cls, m: api.Withdrawal) -> Withdrawal:
        """From its message."""
        status = word(api.WithdrawalStatus, "WITHDRAWAL_STATUS_", m.status)
        return cls(m.withdrawal_id, m.account_id, m.amount_fen, status, m.refusal_reason)


@dataclass(frozen=True, slots=True)
class CashBalance:
    """An account's cash: the balance, what pending withdrawals hold, what is available."""

    account_id: str
    balance_fen: int
    pending_withdrawals_fen: int
    available_fen: int


@dataclass(frozen=True, slots=True)
class SettlementLeg:
    """One movement of a settled trade: ``cash`` in fen or ``allowance`` in tonnes."""

    kind: str
    from_account_id: str
    to_account_id: str
    amount_fen: int
    instrument: str
    quantity_tonnes: int


@dataclass(frozen=True, slots=True)
class TradeSettlement:
    """A trade as the clearing house settled it (``status``: settled, failed, unknown)."""

    trade_id: str
    status: str
    instrument: str
    price_fen: int
    quantity_tonnes: int
    buyer_account_id: str
    seller_account_id: str
    buyer_paid_fen: int
    seller_received_fen: int
    fee_fen: int
    fee_account_id: str
    trading_date: str
    legs: tuple[SettlementLeg, ...]
    failure_reason: str

    @classmethod
    def from_proto(cls, m: api.TradeSettlement) -> TradeSettlement:
        """From its message."""
        legs = tuple(
            SettlementLeg(
                word(api.LegKind, "LEG_KIND_", leg.kind),
                leg.from_account_id,
                leg.to_account_id,
                leg.amount_fen,
                leg.instrument,
                leg.quantity_tonnes,
            )
            for leg in m.legs
        )
        return cls(
            m.trade_id,
            word(api.SettlementStatus, "SETTLEMENT_STATUS_", m.status),
            m.instrument,
            m.price_fen,
            m.quantity_tonnes,
            m.buyer_account_id,
            m.seller_account_id,
            m.buyer_paid_fen,
            m.seller_received_fen,
            m.fee_fen,
            m.fee_account_id,
            m.trading_date,
            legs,
            m.failure_reason,
        )


@dataclass(frozen=True, slots=True)
class ReconciliationBreak:
    """Where the day's figures disagree (expected vs actual) and why."""

    trading_date: str
    account_id: str
    instrument: str
    expected: int
    actual: int
    detail: str


@dataclass(frozen=True, slots=True)
class SettlementDay:
    """A settlement day: ``open``, ``closed`` or ``broken`` (breaks recorded), and its
    figures; ``exchange_volumes`` maps each instrument to the tonnes the exchange reported."""

    trading_date: str
    status: str
    trades_settled: int
    trades_failed: int
    cash_moved_fen: int
    tonnes_delivered: int
    fees_fen: int
    exchange_volumes: dict[str, int]
    breaks: tuple[ReconciliationBreak, ...]

    @classmethod
    def from_proto(cls, m: api.SettlementDay) -> SettlementDay:
        """From its message."""
        breaks = tuple(
            ReconciliationBreak(
                b.trading_date, b.account_id, b.instrument, b.expected, b.actual, b.detail
            )
            for b in m.breaks
        )
        status = word(api.SettlementDayStatus, "SETTLEMENT_DAY_STATUS_", m.status)
        volumes = {v.instrument: v.volume_tonnes for v in m.exchange_volumes}
        return cls(
            m.trading_date,
            status,
            m.trades_settled,
            m.trades_failed,
            m.cash_moved_fen,
            m.tonnes_delivered,
            m.fees_fen,
            volumes,
            breaks,
        )


@dataclass(frozen=True, slots=True)
class CashConservation:
    """Σ balances (fee account included) == Σ deposits − Σ completed withdrawals."""

    holds: bool
    total_balances_fen: int
    deposited_fen: int
    withdrawn_fen: int
    fee_account_balance_fen: int
