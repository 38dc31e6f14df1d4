"""The registry application on the shared skeleton: one in-memory ``Registry``, rebuilt from
its log at start.

Commands and other services' events run through :class:`cqx_service.EventSourcedApplication`
(decided against memory, applied, recorded, answered after the commit). Queries answer from
memory, or, as of a past position, from a fold of the log up to it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from cqx_eventstore import EventStore
from cqx_kernel.clock import new_id as uuid4_id
from cqx_kernel.errors import InvalidArgumentError
from cqx_registry.domain import events as ev
from cqx_registry.domain.checks import (
    check_account_id,
    check_participant_id,
    known_account,
    known_participant,
)
from cqx_registry.domain.commands import Command
from cqx_registry.domain.conservation import Conservation, conservation, conservation_of_all
from cqx_registry.domain.decide import decide
from cqx_registry.domain.instruments import check_instrument
from cqx_registry.domain.state import Account, Holding, Participant, Registry, evolve
from cqx_registry.domain.streams import stream_of
from cqx_service import Codec, Decided, EventSourcedApplication, ForeignEvents, Journal
from cqx_service.application import fold_log
from cqx_service.paging import page_of
from cqx_service.policy import Ownership


@dataclass(frozen=True)
class HoldingsView:
    """An account's holdings by instrument, and the log position they reflect."""

    account_id: str
    holdings: dict[str, Holding]
    position: int


class RegistryApplication(EventSourcedApplication[ev.Event, Command]):
    """Accounts and holdings in memory; every change recorded through the journal."""

    def __init__(
        self,
        journal: Journal,
        codec: Codec[ev.Event],
        foreign: ForeignEvents[Command],
        *,
        new_id: Callable[[], str] = uuid4_id,
    ) -> None:
        super().__init__(journal, codec, foreign, new_id=new_id)
        self.state = Registry()
        self._account_ids: list[str] = []
        self._participant_ids: list[str] = []

    @property
    def store(self) -> EventStore:
        """The registry's event store (its log)."""
        return self.journal.store

    def decide(self, command: Command) -> Decided[ev.Event]:
        """The domain's decision: events, and a refusal to answer with after recording them."""
        decided = decide(self.state, command)
        return Decided(decided.events, decided.refusal)

    def evolve(self, event: ev.Event) -> None:
        """Apply ``event`` to the state (and keep the account and participant ids in order
        for paging)."""
        evolve(self.state, event)
        if isinstance(event, ev.AccountOpened):
            bisect.insort(self._account_ids, event.account_id)
        elif isinstance(event, ev.ParticipantRegistered):
            bisect.insort(self._participant_ids, event.participant_id)

    def stream_of(self, event: ev.Event) -> str:
        """The account's stream (or ``rejections``): :func:`cqx_registry.domain.streams`."""
        return stream_of(event)

    # --- queries -------------------------------------------------------------------------

    def account(self, account_id: str) -> Account:
        """One account, or NOT_FOUND."""
        return known_account(self.state, check_account_id(account_id))

    def accounts_page(self, page_size: int, page_token: str) -> tuple[list[Account], str]:
        """A page of accounts in id order, and the next page's token."""
        found = page_of(self._account_ids, page_size, page_token)
        return [self.state.accounts[i] for i in found.keys], found.next_page_token

    def participant(self, participant_id: str) -> Participant:
        """One participant, or NOT_FOUND."""
        return known_participant(self.state, check_participant_id(participant_id))

    def participants_page(self, page_size: int, page_token: str) -> tuple[list[Participant], str]:
        """A page of participants in id order, and the next page's token."""
        found = page_of(self._participant_ids, page_size, page_token)
        return [self.state.participants[i] for i in found.keys], found.next_page_token

    def holding(self, account_id: str, instrument: str) -> Holding:
        """One holding as it is now (zero if never held)."""
        return self.state.holding(account_id, instrument)

    async def holdings(self, account_id: str, as_of_position: int = 0) -> HoldingsView:
        """An account's holdings now (0), or rebuilt from the log up to ``as_of_position``
        (a position past the log's head is refused: nobody knows that future yet)."""
        self.account(account_id)
        head, _ = await self.store.head()
        if as_of_position == 0:
            return HoldingsView(account_id, self.state.holdings_of(account_id), head)
        if not 0 < as_of_position <= head:
            raise InvalidArgumentError(
                f"as_of_position must be between 1 and the log's head ({head}), or 0 for now; "
                f"got {as_of_position}",
                reason="POSITION_AFTER_HEAD",
                metadata={"as_of_position": str(as_of_position), "head_position": str(head)},
            )
        past = Registry()
        await fold_log(
            self.store, self.codec, lambda e: evolve(past, e), to_position=as_of_position
        )
        return HoldingsView(account_id, past.holdings_of(account_id), as_of_position)

    def conservation(self, instrument: str) -> list[Conservation]:
        """Conservation of one instrument, or of every instrument known (``""``)."""
        if not instrument:
            return conservation_of_all(self.state)
        return [conservation(self.state, check_instrument(instrument))]


def ownership_of(app: RegistryApplication) -> Ownership:
    """Who owns what here, for the policy: the registry's own record of accounts."""

    def owner_of(account_id: str) -> str | None:
        account = app.state.accounts.get(account_id)
        return None if account is None else account.participant_id or None

    return Ownership(owner_of)
