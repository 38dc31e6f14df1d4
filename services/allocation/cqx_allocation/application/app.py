"""The allocation application on the shared skeleton: the state, its rules, its streams.

At start the state is rebuilt by folding the service's own log; commands and the registry's
surrenders run through :class:`cqx_service.EventSourcedApplication` (decided and applied
synchronously inside the journal, answered after the commit, once per request id).
"""

from __future__ import annotations

from collections.abc import Callable

from cqx_allocation.domain.commands import Command
from cqx_allocation.domain.decisions import decide
from cqx_allocation.domain.events import ComplianceYearOpened, Event, SurrenderUnattributed
from cqx_allocation.domain.evolution import evolve
from cqx_allocation.domain.state import AllocationState
from cqx_kernel.clock import new_id as uuid4_id
from cqx_service import Codec, Decided, EventSourcedApplication, ForeignEvents, Journal
from cqx_service.policy import Ownership


class AllocationApplication(EventSourcedApplication[Event, Command]):
    """The allocation service's state and the one way it changes."""

    def __init__(
        self,
        journal: Journal,
        codec: Codec[Event],
        foreign: ForeignEvents[Command],
        *,
        new_id: Callable[[], str] = uuid4_id,
    ) -> None:
        super().__init__(journal, codec, foreign, new_id=new_id)
        self.state = AllocationState()

    def decide(self, command: Command) -> Decided[Event]:
        """The domain's decision (a refusal is raised: nothing is recorded)."""
        return Decided(decide(self.state, command))

    def evolve(self, event: Event) -> None:
        """Apply ``event`` to the state."""
        evolve(self.state, event)

    def stream_of(self, event: Event) -> str:
        """``year-<year>`` for a year, ``unattributed-<account>``, else ``entity-<entity_id>``."""
        if isinstance(event, ComplianceYearOpened):
            return f"year-{event.year}"
        if isinstance(event, SurrenderUnattributed):
            return f"unattributed-{event.account_id}"
        return f"entity-{event.entity_id}"


def ownership_of(app: AllocationApplication) -> Ownership:
    """Who owns what here, for the policy: accounts (from the registry's events) and an
    entity (the account it holds allowances in)."""

    def entity_accounts(entity_id: str) -> tuple[str, ...] | None:
        found = app.state.entities.get(entity_id)
        return None if found is None else (found.account_id,)

    return Ownership(app.directory.owner_of, {"entity": entity_accounts})
