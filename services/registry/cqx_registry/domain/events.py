"""Events: what happened to accounts and holdings, in the past tense. Replay rebuilds all.

Each mirrors a message of ``cqx/registry/v1/events.proto``; quantities are whole tonnes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cqx_registry.domain.commands import AccountKind, ParticipantKind


class DeliveryLeg(StrEnum):
    """Which side of a trade delivery one recorded event applies (it is recorded on both)."""

    SELLER = "SELLER"
    BUYER = "BUYER"
    BOTH = "BOTH"  # seller and buyer are one account: a single event, no net change


@dataclass(frozen=True, slots=True)
class ParticipantRegistered:
    """A participant (member) was registered."""

    participant_id: str
    kind: ParticipantKind
    name: str


@dataclass(frozen=True, slots=True)
class ParticipantRestricted:
    """A participant was restricted (R-A5); ``account_ids`` are all its accounts."""

    participant_id: str
    account_ids: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class ParticipantReinstated:
    """A participant's restriction was lifted; ``account_ids`` are all its accounts."""

    participant_id: str
    account_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AccountOpened:
    """An account was opened for a participant. ``participant_id`` is empty on an account
    opened before participants existed: it belongs to no participant (decision 0013)."""

    account_id: str
    kind: AccountKind
    name: str
    participant_id: str = ""


@dataclass(frozen=True, slots=True)
class AllowancesIssued:
    """Allowances were created in an account's registry position."""

    account_id: str
    instrument: str
    quantity: int
    issuance_id: str
    source_event_id: str


@dataclass(frozen=True, slots=True)
class IssuanceRejected:
    """An issuance could not be applied; nothing was created."""

    issuance_id: str
    account_id: str
    reason: str
    instrument: str
    quantity: int
    source_event_id: str


@dataclass(frozen=True, slots=True)
class MovedToTrading:
    """Quantity moved from the registry position to the trading position."""

    move_id: str
    account_id: str
    instrument: str
    quantity: int


@dataclass(frozen=True, slots=True)
class MoveFromTradingRequested:
    """A move out of trading was asked for; the quantity is pending until the exchange answers."""

    move_id: str
    account_id: str
    instrument: str
    quantity: int


@dataclass(frozen=True, slots=True)
class MovedFromTrading:
    """The exchange approved: quantity moved from the trading to the registry position."""

    move_id: str
    account_id: str
    instrument: str
    quantity: int


@dataclass(frozen=True, slots=True)
class MoveFromTradingRefused:
    """The move out of trading was refused; the quantity stays in the trading position."""

    move_id: str
    account_id: str
    instrument: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class TransferProposed:
    """A transfer between registry positions was proposed (then checked)."""

    transfer_id: str
    from_account_id: str
    to_account_id: str
    instrument: str
    quantity: int


@dataclass(frozen=True, slots=True)
class TransferCompleted:
    """The transfer passed its checks: quantity moved between registry positions."""

    transfer_id: str
    from_account_id: str
    to_account_id: str
    instrument: str
    quantity: int


@dataclass(frozen=True, slots=True)
class TransferTerminated:
    """The transfer failed its checks; nothing moved."""

    transfer_id: str
    from_account_id: str
    to_account_id: str
    instrument: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class AllowancesSurrendered:
    """Allowances left circulation against a compliance year."""

    surrender_id: str
    account_id: str
    instrument: str
    quantity: int
    compliance_year: int


@dataclass(frozen=True, slots=True)
class AllowancesCancelled:
    """Allowances were cancelled voluntarily, forever."""

    cancellation_id: str
    account_id: str
    instrument: str
    quantity: int


@dataclass(frozen=True, slots=True)
class HoldingFrozen:
    """Quantity moved from the registry position to frozen."""

    freeze_id: str
    account_id: str
    instrument: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class HoldingUnfrozen:
    """Quantity a freeze held moved back to the registry position."""

    freeze_id: str
    account_id: str
    instrument: str
    quantity: int


@dataclass(frozen=True, slots=True)
class TradeDeliveryApplied:
    """One leg (or, for a self-trade, both) of a settled trade's allowance delivery."""

    trade_id: str
    seller_account_id: str
    buyer_account_id: str
    instrument: str
    quantity: int
    source_event_id: str
    leg: DeliveryLeg


@dataclass(frozen=True, slots=True)
class TradeDeliveryRejected:
    """A settled trade's delivery could not be applied; nothing moved."""

    trade_id: str
    seller_account_id: str
    buyer_account_id: str
    instrument: str
    quantity: int
    reason: str
    source_event_id: str


Event = (
    ParticipantRegistered
    | ParticipantRestricted
    | ParticipantReinstated
    | AccountOpened
    | AllowancesIssued
    | IssuanceRejected
    | MovedToTrading
    | MoveFromTradingRequested
    | MovedFromTrading
    | MoveFromTradingRefused
    | TransferProposed
    | TransferCompleted
    | TransferTerminated
    | AllowancesSurrendered
    | AllowancesCancelled
    | HoldingFrozen
    | HoldingUnfrozen
    | TradeDeliveryApplied
    | TradeDeliveryRejected
)
