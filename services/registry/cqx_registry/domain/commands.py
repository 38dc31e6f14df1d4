"""Commands: what a client (or another context, through its events) asks the registry to do.

Quantities are whole tonnes. Ids of what a command creates (``move_id``, ``transfer_id`` …)
are chosen by the application and passed in, so that deciding stays deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AccountKind(StrEnum):
    """Who an account belongs to."""

    COVERED_ENTITY = "COVERED_ENTITY"
    INSTITUTION = "INSTITUTION"
    ISSUANCE = "ISSUANCE"
    EXCHANGE = "EXCHANGE"
    CANCELLATION = "CANCELLATION"


class ParticipantKind(StrEnum):
    """Who a participant (member) is: a key emission unit, an institution, or a staff body."""

    KEY_EMISSION_UNIT = "KEY_EMISSION_UNIT"
    INSTITUTION = "INSTITUTION"
    REGULATOR = "REGULATOR"
    REGISTRY = "REGISTRY"
    EXCHANGE = "EXCHANGE"
    VERIFIER = "VERIFIER"


# --- from clients ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterParticipant:
    """Register a participant under an id the caller chooses; ``kind`` None: not given."""

    participant_id: str
    kind: ParticipantKind | None
    name: str


@dataclass(frozen=True, slots=True)
class RestrictParticipant:
    """Restrict a participant: no transfers, no orders, holdings untouched (R-A5)."""

    participant_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReinstateParticipant:
    """Lift a participant's restriction."""

    participant_id: str


@dataclass(frozen=True, slots=True)
class OpenAccount:
    """Open an account of a participant under an id the caller chooses; ``kind`` None means
    it was not given."""

    account_id: str
    kind: AccountKind | None
    name: str
    participant_id: str


@dataclass(frozen=True, slots=True)
class MoveToTrading:
    """Move quantity from the registry position to the trading position."""

    move_id: str
    account_id: str
    instrument: str
    quantity: int


@dataclass(frozen=True, slots=True)
class MoveFromTrading:
    """Ask to move quantity back from the trading position (the exchange must approve)."""

    move_id: str
    account_id: str
    instrument: str
    quantity: int


@dataclass(frozen=True, slots=True)
class TransferAllowances:
    """Move quantity from one account's registry position to another's."""

    transfer_id: str
    from_account_id: str
    to_account_id: str
    instrument: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Surrender:
    """Surrender quantity from the registry position against a compliance year."""

    surrender_id: str
    account_id: str
    instrument: str
    quantity: int
    compliance_year: int


@dataclass(frozen=True, slots=True)
class CancelAllowances:
    """Cancel quantity from the registry position voluntarily, forever (R-C8)."""

    cancellation_id: str
    account_id: str
    instrument: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Freeze:
    """Freeze quantity of the registry position (R-A4)."""

    freeze_id: str
    account_id: str
    instrument: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class Unfreeze:
    """Release quantity a freeze holds back to the registry position."""

    freeze_id: str
    quantity: int


# --- from other contexts' events ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssueAllowances:
    """Create allowances in an account's registry position (allocation's AllocationIssued)."""

    issuance_id: str
    account_id: str
    instrument: str
    quantity: int
    source_event_id: str


@dataclass(frozen=True, slots=True)
class ApproveWithdrawal:
    """The exchange approved a move out of trading (matching's AllowanceWithdrawalApproved)."""

    move_id: str


@dataclass(frozen=True, slots=True)
class RefuseWithdrawal:
    """The exchange refused a move out of trading (matching's AllowanceWithdrawalRefused)."""

    move_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class DeliverTrade:
    """Apply the allowance leg of a settled trade (settlement's TradeSettled)."""

    trade_id: str
    seller_account_id: str
    buyer_account_id: str
    instrument: str
    quantity: int
    source_event_id: str


ClientCommand = (
    RegisterParticipant
    | RestrictParticipant
    | ReinstateParticipant
    | OpenAccount
    | MoveToTrading
    | MoveFromTrading
    | TransferAllowances
    | Surrender
    | CancelAllowances
    | Freeze
    | Unfreeze
)
ForeignCommand = IssueAllowances | ApproveWithdrawal | RefuseWithdrawal | DeliverTrade
Command = ClientCommand | ForeignCommand
