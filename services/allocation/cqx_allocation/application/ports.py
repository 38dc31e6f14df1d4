"""What the application needs from the adapters: the event codec and the foreign translator."""

from __future__ import annotations

from typing import Protocol

from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_allocation.domain.commands import RecordSurrender
from cqx_allocation.domain.events import Event


class EventCodec(Protocol):
    """Domain events to stored (type, payload) and back."""

    def encode(self, event: Event) -> tuple[str, bytes]:
        """The stored event type (the proto full name) and payload of ``event``."""
        ...

    def decode(self, event_type: str, payload: bytes) -> Event | None:
        """The domain event stored as ``event_type``; None for a type this service ignores."""
        ...


class ForeignEvents(Protocol):
    """Other contexts' events as the commands they cause here."""

    def command_for(self, envelope: EventEnvelope) -> RecordSurrender | None:
        """The command a foreign event causes; None if it concerns this service not at all."""
        ...
