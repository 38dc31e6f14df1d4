"""Other services' events as this service's commands: one table per service, one router.

A service declares what it acts on as a table: contract message class → a function from the
decoded message (and its envelope) to a command, or None when that event asks nothing here.
:class:`ForeignEvents` decodes each payload with its class; a payload that does not decode is
an :class:`UndecodableForeignEventError`, which the consumer puts in the dead letters with
its reason and goes on, never a crash. The events a foreign event causes carry
:func:`reaction_metadata`: its correlation, caused by it, the actor being its source context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from google.protobuf.message import DecodeError, Message

from cqx_bus.errors import UndecodableMessageError

C = TypeVar("C")

Translate = Callable[[Any, EventEnvelope], C | None]
"""(decoded message, its envelope) → the command it asks of this service, or None."""


class UndecodableForeignEventError(UndecodableMessageError):
    """A foreign event's payload is not the message its type names."""

    default_reason = "UNDECODABLE_PAYLOAD"


class ForeignEvents(Generic[C]):
    """The table of consumed message types, and the source contexts they come from."""

    def __init__(
        self,
        sources: Mapping[str, Mapping[type[Message], Translate[C]]],
    ) -> None:
        self._translators: dict[str, tuple[type[Message], Translate[C]]] = {}
        self._types_by_source: dict[str, frozenset[str]] = {}
        for source, table in sources.items():
            names = []
            for message, translate in table.items():
                name = message.DESCRIPTOR.full_name
                self._translators[name] = (message, translate)
                names.append(name)
            self._types_by_source[source] = frozenset(names)

    @property
    def sources(self) -> tuple[str, ...]:
        """The contexts whose topics this service consumes (one consumer each)."""
        return tuple(self._types_by_source)

    def event_types(self, source: str) -> frozenset[str]:
        """The types this service acts on from ``source`` (its consumer looks no others up)."""
        return self._types_by_source[source]

    def command_for(self, envelope: EventEnvelope) -> C | None:
        """The command ``envelope`` asks of this service, or None if it asks nothing."""
        found = self._translators.get(envelope.event_type)
        if found is None:
            return None
        message_class, translate = found
        try:
            message = message_class.FromString(envelope.payload)
        except DecodeError as error:
            raise UndecodableForeignEventError(
                f"{envelope.event_type} {envelope.event_id} from {envelope.source or '?'}: "
                f"the payload is not a {message_class.DESCRIPTOR.name} ({error})",
                metadata={"event_type": envelope.event_type, "event_id": envelope.event_id},
            ) from error
        return translate(message, envelope)


def reaction_metadata(envelope: EventEnvelope) -> dict[str, str]:
    """Metadata of the events a foreign event causes: its correlation, caused by it, acted
    by its source service's principal (``service:matching``, ...)."""
    return {
        "correlation_id": envelope.metadata.get("correlation_id") or envelope.event_id,
        "causation_id": envelope.event_id,
        "actor": f"service:{envelope.source or 'unknown'}",
    }
