"""Which stream each event is recorded on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cqx_allocation.application.ports import EventCodec
from cqx_allocation.domain.events import ComplianceYearOpened, Event, SurrenderUnattributed
from cqx_eventstore import AppendRequest, NewEvent


def stream_of(event: Event) -> str:
    """``year-<year>`` for a year, ``unattributed-<account>``, else ``entity-<entity_id>``."""
    if isinstance(event, ComplianceYearOpened):
        return f"year-{event.year}"
    if isinstance(event, SurrenderUnattributed):
        return f"unattributed-{event.account_id}"
    return f"entity-{event.entity_id}"


def append_requests(
    events: Sequence[Event],
    codec: EventCodec,
    event_ids: Sequence[str],
    metadata: Mapping[str, str],
) -> list[AppendRequest]:
    """One append (no version check: this process is the single writer) per run of a stream."""
    requests: list[AppendRequest] = []
    run: list[NewEvent] = []
    for index, event in enumerate(events):
        stream = stream_of(event)
        if run and stream_of(events[index - 1]) != stream:
            requests.append(AppendRequest(stream_of(events[index - 1]), None, run, metadata))
            run = []
        event_type, payload = codec.encode(event)
        run.append(NewEvent(event_ids[index], event_type, payload))
    if run:
        requests.append(AppendRequest(stream_of(events[-1]), None, run, metadata))
    return requests
