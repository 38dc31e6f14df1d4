"""The registry's state and ``evolve``: the fold of its events.

The application keeps one ``Registry`` in memory. ``evolve`` folds an event into it in place
(copying every dictionary per event would make a replay of millions quadratic); ``decide``
only reads it, so a refused command leaves it untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from cqx_registry.domain import events as ev
from cqx_registry.domain.commands import AccountKind, ParticipantKind
from cqx_registry.domain.deltas import HoldingDelta, holding_deltas
from cqx_registry.domain.events import Event

# The account kinds a participant trades through: one such account each (R-A1).
TRADING_ACCOUNT_KINDS = frozenset({AccountKind.COVERED_ENTITY, AccountKind.INSTITUTION})


@dataclass(frozen=True, slots=True)
class Account:
    """An account of the registry; ``participant_id`` "" for one opened before participants."""

    account_id: str
    kind: AccountKind
    name: str
    participant_id: str = ""


@dataclass(frozen=True, slots=True)
class Participant:
    """A participant (member): its accounts (in id order), its one trading account (R-A1)
    and, while it is restricted (R-A5), the restriction's reason."""

    participant_id: str
    kind: ParticipantKind
    name: str
    account_ids: tuple[str, ...] = ()
    trading_account_id: str = ""
    restriction: str | None = None

    @property
    def restricted(self) -> bool:
        """Whether it may neither transfer nor trade now."""
        return self.restriction is not None


@dataclass(slots=True)
class Holding:
    """One account's holding of one instrument, in tonnes.

    ``pending_out`` is the part of ``trading`` asked out of trading and not yet answered by the
    exchange; it is not a separate part for conservation.
    """

    registry: int = 0
    trading: int = 0
    frozen: int = 0
    pending_out: int = 0

    @property
    def trading_free(self) -> int:
        """What may still be asked out of trading."""
        return max(0, self.trading - self.pending_out)


@dataclass(slots=True)
class InstrumentTotals:
    """What was created and what left circulation, per instrument (for conservation)."""

    issued: int = 0
    surrendered: int = 0
    cancelled: int = 0


@dataclass(frozen=True, slots=True)
class PendingMove:
    """A move out of trading waiting for the exchange's answer."""

    account_id: str
    instrument: str
    quantity: int


@dataclass(slots=True)
class FreezeRecord:
    """What one freeze still holds."""

    account_id: str
    instrument: str
    remaining: int


@dataclass
class Registry:
    """Participants, accounts, holdings, totals, and the open moves and freezes."""

    participants: dict[str, Participant] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    holdings: dict[str, dict[str, Holding]] = field(default_factory=dict)
    totals: dict[str, InstrumentTotals] = field(default_factory=dict)
    pending_moves: dict[str, PendingMove] = field(default_factory=dict)
    freezes: dict[str, FreezeRecord] = field(default_factory=dict)
    issuances: set[str] = field(default_factory=set)
    delivered_trades: set[str] = field(default_factory=set)

    def holding(self, account_id: str, instrument: str) -> Holding:
        """The holding (a zero one, not stored, if the account never held the instrument)."""
        return self.holdings.get(account_id, {}).get(instrument) or Holding()

    def holdings_of(self, account_id: str) -> dict[str, Holding]:
        """An account's holdings by instrument, in instrument order."""
        return dict(sorted(self.holdings.get(account_id, {}).items()))

    def owner_of(self, account_id: str) -> Participant | None:
        """The participant ``account_id`` belongs to (None: unknown, or opened before
        participants existed)."""
        account = self.accounts.get(account_id)
        if account is None or not account.participant_id:
            return None
        return self.participants.get(account.participant_id)


def evolve(state: Registry, event: Event) -> Registry:
    """Fold ``event`` into ``state`` (in place) and return it."""
    for delta in holding_deltas(event):
        _apply_delta(state, delta)
    _record(state, event)
    return state


def _apply_delta(state: Registry, delta: HoldingDelta) -> None:
    held = state.holdings.setdefault(delta.account_id, {})
    holding = held.setdefault(delta.instrument, Holding())
    holding.registry += delta.registry
    holding.trading += delta.trading
    holding.frozen += delta.frozen
    holding.pending_out += delta.pending_out


def _record(state: Registry, event: Event) -> None:
    """Everything an event changes besides holdings."""
    match event:
        case ev.ParticipantRegistered(participant_id=p, kind=k, name=n):
            state.participants[p] = Participant(p, k, n)
        case ev.ParticipantRestricted(participant_id=p, reason=r):
            state.participants[p] = replace(state.participants[p], restriction=r)
        case ev.ParticipantReinstated(participant_id=p):
            state.participants[p] = replace(state.participants[p], restriction=None)
        case ev.AccountOpened(account_id=a, kind=k, name=n, participant_id=p):
            state.accounts[a] = Account(a, k, n, p)
            if p:
                _joined(state, p, a, k)
        case ev.AllowancesIssued(instrument=i, quantity=q, issuance_id=issuance):
            state.issuances.add(issuance)
            _totals(state, i).issued += q
        case ev.MoveFromTradingRequested(move_id=m, account_id=a, instrument=i, quantity=q):
            state.pending_moves[m] = PendingMove(a, i, q)
        case ev.MovedFromTrading(move_id=m) | ev.MoveFromTradingRefused(move_id=m):
            state.pending_moves.pop(m, None)
        case ev.AllowancesSurrendered(instrument=i, quantity=q):
            _totals(state, i).surrendered += q
        case ev.AllowancesCancelled(instrument=i, quantity=q):
            _totals(state, i).cancelled += q
        case ev.HoldingFrozen(freeze_id=f, account_id=a, instrument=i, quantity=q):
            state.freezes[f] = FreezeRecord(a, i, q)
        case ev.HoldingUnfrozen(freeze_id=f, quantity=q):
            state.freezes[f].remaining -= q
        case ev.TradeDeliveryApplied(trade_id=t):
            state.delivered_trades.add(t)


def _joined(state: Registry, participant_id: str, account_id: str, kind: AccountKind) -> None:
    """The participant's new account (its trading account, if of a trading kind)."""
    owner = state.participants[participant_id]
    trading = account_id if kind in TRADING_ACCOUNT_KINDS else owner.trading_account_id
    accounts = tuple(sorted((*owner.account_ids, account_id)))
    state.participants[participant_id] = replace(
        owner, account_ids=accounts, trading_account_id=trading
    )


def _totals(state: Registry, instrument: str) -> InstrumentTotals:
    return state.totals.setdefault(instrument, InstrumentTotals())
