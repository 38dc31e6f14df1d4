"""What the registry answers, as plain values (quantities in whole tonnes)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from cqx.registry.v1 import events_pb2 as registry_events
from cqx.registry.v1 import registry_service_pb2 as api

from cqx_sdk.enums import from_proto, to_proto


class AccountKind(Enum):
    """What an account is for; the value is how the CLI spells it."""

    COVERED_ENTITY = "covered-entity"
    INSTITUTION = "institution"
    ISSUANCE = "issuance"
    EXCHANGE = "exchange"
    CANCELLATION = "cancellation"
    UNSPECIFIED = "unspecified"

    def to_proto(self) -> registry_events.AccountKind.ValueType:
        """The proto enum value (``ACCOUNT_KIND_<NAME>``)."""
        value: registry_events.AccountKind.ValueType = to_proto(
            self, registry_events.AccountKind, "ACCOUNT_KIND_"
        )
        return value

    @classmethod
    def from_proto(cls, value: int) -> AccountKind:
        """The kind of a proto enum value."""
        return from_proto(cls, registry_events.AccountKind, "ACCOUNT_KIND_", value)


class ParticipantKind(Enum):
    """Who a participant is: a key emission unit, an institution, or a staff body (which
    may not trade, R-A2); the value is how the CLI spells it."""

    KEY_EMISSION_UNIT = "key-emission-unit"
    INSTITUTION = "institution"
    REGULATOR = "regulator"
    REGISTRY = "registry"
    EXCHANGE = "exchange"
    VERIFIER = "verifier"
    UNSPECIFIED = "unspecified"

    def to_proto(self) -> registry_events.ParticipantKind.ValueType:
        """The proto enum value (``PARTICIPANT_KIND_<NAME>``)."""
        value: registry_events.ParticipantKind.ValueType = to_proto(
            self, registry_events.ParticipantKind, "PARTICIPANT_KIND_"
        )
        return value

    @classmethod
    def from_proto(cls, value: int) -> ParticipantKind:
        """The kind of a proto enum value."""
        return from_proto(cls, registry_events.ParticipantKind, "PARTICIPANT_KIND_", value)


class ParticipantStatus(Enum):
    """Whether a participant may transfer and trade (``restricted``: it may not, R-A5)."""

    ACTIVE = "active"
    RESTRICTED = "restricted"
    UNSPECIFIED = "unspecified"

    @classmethod
    def from_proto(cls, value: int) -> ParticipantStatus:
        """The status of a proto enum value."""
        return from_proto(cls, api.ParticipantStatus, "PARTICIPANT_STATUS_", value)


@dataclass(frozen=True, slots=True)
class Participant:
    """A participant (member) of the registry, its accounts and its one trading account."""

    participant_id: str
    kind: ParticipantKind
    name: str
    status: ParticipantStatus
    restriction_reason: str
    account_ids: tuple[str, ...]
    trading_account_id: str

    @property
    def restricted(self) -> bool:
        """Whether it may neither transfer nor trade now (R-A5)."""
        return self.status is ParticipantStatus.RESTRICTED

    @classmethod
    def from_proto(cls, m: api.Participant) -> Participant:
        """From its message."""
        return cls(
            m.participant_id,
            ParticipantKind.from_proto(m.kind),
            m.name,
            ParticipantStatus.from_proto(m.status),
            m.restriction_reason,
            tuple(m.account_ids),
            m.trading_account_id,
        )


@dataclass(frozen=True, slots=True)
class Account:
    """A registry account; ``participant_id`` is its owner ("" for an account opened before
    the registry had participants)."""

    account_id: str
    kind: AccountKind
    name: str
    participant_id: str = ""

    @classmethod
    def from_proto(cls, m: api.Account) -> Account:
        """From its message."""
        return cls(m.account_id, AccountKind.from_proto(m.kind), m.name, m.participant_id)


@dataclass(frozen=True, slots=True)
class Holding:
    """One account's holding of one instrument, in tonnes, by part.

    ``pending_out_tonnes`` is the part of the trading position waiting for the exchange's
    answer to a move out of trading.
    """

    account_id: str
    instrument: str
    registry_tonnes: int = 0
    trading_tonnes: int = 0
    frozen_tonnes: int = 0
    pending_out_tonnes: int = 0

    @property
    def total_tonnes(self) -> int:
        """Everything the account holds of the instrument."""
        return self.registry_tonnes + self.trading_tonnes + self.frozen_tonnes

    @classmethod
    def from_proto(cls, m: api.Holding) -> Holding:
        """From its message."""
        return cls(
            m.account_id,
            m.instrument,
            m.registry_tonnes,
            m.trading_tonnes,
            m.frozen_tonnes,
            m.pending_out_tonnes,
        )


@dataclass(frozen=True, slots=True)
class Holdings:
    """An account's holdings, as of ``position`` of the registry's log."""

    account_id: str
    holdings: tuple[Holding, ...]
    position: int

    def of(self, instrument: str) -> Holding:
        """The holding of ``instrument`` (all zero if the account holds none)."""
        found = (h for h in self.holdings if h.instrument == instrument)
        return next(found, Holding(self.account_id, instrument))


@dataclass(frozen=True, slots=True)
class HoldingChange:
    """What a registry operation answered: its id and the holding after it."""

    operation_id: str
    holding: Holding


@dataclass(frozen=True, slots=True)
class Transfer:
    """A completed transfer between registry positions."""

    transfer_id: str
    from_holding: Holding
    to_holding: Holding


@dataclass(frozen=True, slots=True)
class InstrumentConservation:
    """issued = registry + trading + frozen + surrendered + cancelled, for one instrument."""

    instrument: str
    issued_tonnes: int
    registry_tonnes: int
    trading_tonnes: int
    frozen_tonnes: int
    surrendered_tonnes: int
    cancelled_tonnes: int
    holds: bool


@dataclass(frozen=True, slots=True)
class Conservation:
    """The registry's conservation check over the instruments asked about."""

    instruments: tuple[InstrumentConservation, ...]
    holds: bool
