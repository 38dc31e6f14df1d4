"""The registry application: one in-memory ``Registry``, rebuilt from its log at start.

Commands run through the journal (decide against memory, apply, record, answer after the
commit); other contexts' events are decided and applied the same way and recorded by the
consumer with their tracking records. Queries answer from memory, or, as of a past position,
from a replay of the log up to it.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_eventstore import AppendRequest, EventStore, NewEvent, UnitOfWork
from cqx_kernel.clock import new_id
from cqx_registry.adapters.codec import encode, stream_of
from cqx_registry.adapters.foreign import foreign_command, reaction_metadata
from cqx_registry.adapters.holdings_table import HoldingRow
from cqx_registry.application.history import replay
from cqx_registry.application.paging import page, page_size_of
from cqx_registry.application.projector import HoldingsProjector
from cqx_registry.domain import events as ev
from cqx_registry.domain.checks import check_account_id, known_account
from cqx_registry.domain.commands import ClientCommand
from cqx_registry.domain.conservation import Conservation, conservation, conservation_of_all
from cqx_registry.domain.decide import decide
from cqx_registry.domain.instruments import check_instrument
from cqx_registry.domain.state import Account, Holding, Registry, evolve
from cqx_service import Decision, Journal

log = logging.getLogger("cqx.registry")

C = TypeVar("C", bound=ClientCommand)


@dataclass(frozen=True)
class HoldingsView:
    """An account's holdings by instrument, and the log position they reflect."""

    account_id: str
    holdings: dict[str, Holding]
    position: int


class RegistryApplication:
    """Accounts and holdings in memory; every change recorded through the journal."""

    def __init__(
        self,
        store: EventStore,
        journal: Journal,
        state: Registry,
        projector: HoldingsProjector | None = None,
        new_id: Callable[[], str] = new_id,
    ) -> None:
        self.store = store
        self.journal = journal
        self.state = state
        self.projector = projector
        self._new_id = new_id
        self._account_ids = sorted(state.accounts)

    @classmethod
    async def start(
        cls, store: EventStore, journal: Journal, projector: HoldingsProjector | None = None
    ) -> RegistryApplication:
        """Rebuild the registry from its own log."""
        state, position = await replay(store)
        log.info("registry: rebuilt %d accounts up to position %d", len(state.accounts), position)
        return cls(store, journal, state, projector)

    async def execute(
        self,
        request_id: str,
        make: Callable[[str], C],
        render: Callable[[C], bytes],
        metadata: Mapping[str, str],
    ) -> bytes:
        """Run a client command once per request id: ``make`` gets a fresh id for what it
        creates, ``render`` answers it from the state after its events are applied."""

        def decided() -> Decision:
            command = make(self._new_id())
            outcome = decide(self.state, command)
            self._apply(outcome.events)
            response = b"" if outcome.refusal else render(command)
            return Decision(self._requests(outcome.events, metadata), response, outcome.refusal)

        return await self.journal.execute(request_id, decided)

    async def on_foreign_event(self, envelope: EventEnvelope) -> UnitOfWork:
        """Decide and apply what another context's event asks; the consumer records it."""
        command = foreign_command(envelope)
        if command is None:
            return UnitOfWork()
        events = decide(self.state, command).events
        if not events:
            log.warning("registry: %s %s changed nothing", envelope.event_type, envelope.event_id)
        self._apply(events)
        return UnitOfWork(self._requests(events, reaction_metadata(envelope)))

    # --- queries -------------------------------------------------------------------------

    def account(self, account_id: str) -> Account:
        """One account, or NOT_FOUND."""
        return known_account(self.state, check_account_id(account_id))

    def accounts_page(self, page_size: int, page_token: str) -> tuple[list[Account], str]:
        """A page of accounts in id order, and the next page's token."""
        ids, next_token = page(self._account_ids, page_size_of(page_size), page_token)
        return [self.state.accounts[i] for i in ids], next_token

    def holding(self, account_id: str, instrument: str) -> Holding:
        """One holding as it is now (zero if never held)."""
        return self.state.holding(account_id, instrument)

    async def holdings(self, account_id: str, as_of_position: int = 0) -> HoldingsView:
        """An account's holdings now (0), or rebuilt from the log up to ``as_of_position``."""
        self.account(account_id)
        head, _ = await self.store.head()
        if as_of_position == 0:
            return HoldingsView(account_id, self.state.holdings_of(account_id), head)
        position = min(as_of_position, head)
        past, _ = await replay(self.store, to_position=position)
        return HoldingsView(account_id, past.holdings_of(account_id), position)

    def conservation(self, instrument: str) -> list[Conservation]:
        """Conservation of one instrument, or of every instrument known (``""``)."""
        if not instrument:
            return conservation_of_all(self.state)
        return [conservation(self.state, check_instrument(instrument))]

    async def projected_holdings(self) -> list[HoldingRow]:
        """The holdings table's rows (what the projector has written so far)."""
        if self.projector is None:
            raise RuntimeError("this registry runs without a holdings projection")
        return await self.projector.rows()

    async def projection_position(self) -> int:
        """The last log position the holdings table reflects."""
        if self.projector is None:
            raise RuntimeError("this registry runs without a holdings projection")
        return await self.projector.checkpoint()

    # --- internals -----------------------------------------------------------------------

    def _apply(self, events: Sequence[ev.Event]) -> None:
        for event in events:
            evolve(self.state, event)
            if isinstance(event, ev.AccountOpened):
                bisect.insort(self._account_ids, event.account_id)

    def _requests(
        self, events: Sequence[ev.Event], metadata: Mapping[str, str]
    ) -> list[AppendRequest]:
        """One append per run of events on the same stream, in decision order."""
        requests: list[AppendRequest] = []
        for event in events:
            stream = stream_of(event)
            new = NewEvent(self._new_id(), *encode(event))
            if requests and requests[-1].stream_id == stream:
                last = requests.pop()
                requests.append(AppendRequest(stream, None, [*last.events, new], metadata))
            else:
                requests.append(AppendRequest(stream, None, [new], metadata))
        return requests
