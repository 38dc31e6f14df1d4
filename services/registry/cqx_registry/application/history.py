"""The registry rebuilt from its own log: a fold of ``evolve`` over the recorded events."""

from __future__ import annotations

from cqx_eventstore import EventStore
from cqx_registry.adapters.codec import decode
from cqx_registry.domain.state import Registry, evolve


async def replay(store: EventStore, to_position: int | None = None) -> tuple[Registry, int]:
    """The registry as of ``to_position`` (everything if None), and the last position folded."""
    state = Registry()
    position = 0
    async for rows in store.read_rows(0, to_position=to_position):
        for position, stream_id, _version, type_name, payload in rows:  # noqa: B007
            evolve(state, decode(type_name, payload, stream_id))
    return state, position
