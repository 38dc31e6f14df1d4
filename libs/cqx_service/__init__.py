"""The skeleton every CQX service stands on: the application base, the journal, the codec
mechanism, foreign-event routing, paging, the servicer base, settings and the runtime."""

from cqx_service.application import (
    CallIds,
    Codec,
    Decided,
    EventSourcedApplication,
    ForeignEventRefusedError,
    Render,
)
from cqx_service.foreign import ForeignEvents, UndecodableForeignEventError, reaction_metadata
from cqx_service.journal import Decision, Journal
from cqx_service.runtime import (
    Assembly,
    ConsumerSpec,
    ServiceContext,
    ServiceRuntime,
    Wiring,
    consumers_of,
)
from cqx_service.settings import RuntimeSettings

__all__ = [
    "Assembly",
    "CallIds",
    "Codec",
    "ConsumerSpec",
    "Decided",
    "Decision",
    "EventSourcedApplication",
    "ForeignEventRefusedError",
    "ForeignEvents",
    "Journal",
    "Render",
    "RuntimeSettings",
    "ServiceContext",
    "ServiceRuntime",
    "UndecodableForeignEventError",
    "Wiring",
    "consumers_of",
    "reaction_metadata",
]
