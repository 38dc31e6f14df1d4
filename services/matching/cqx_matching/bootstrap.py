"""Composition root: the exchange built from settings and ports, its servicer and consumer."""

from __future__ import annotations

import logging
from collections.abc import Callable

from cqx.matching.v1 import matching_service_pb2_grpc as api_grpc

from cqx_kernel.clock import Clock, SystemClock
from cqx_kernel.clock import new_id as uuid4_id
from cqx_matching.adapters import codec
from cqx_matching.adapters.foreign import FOREIGN
from cqx_matching.adapters.servicer import SERVICE_NAME, MatchingServicer
from cqx_matching.application.app import MatchingApplication
from cqx_matching.application.ownership import ownership_of
from cqx_matching.config import MatchingSettings
from cqx_service import Assembly, ConsumerSpec, ServiceContext, Wiring
from cqx_service.directory import AccountDirectory
from cqx_service.runtime import Build

log = logging.getLogger("cqx.matching")


async def assemble(
    context: ServiceContext,
    settings: MatchingSettings | None = None,
    *,
    clock: Clock | None = None,
    new_id: Callable[[], str] = uuid4_id,
) -> Assembly[MatchingApplication]:
    """The exchange rebuilt from its log, and its wiring."""
    app = MatchingApplication(
        context.journal, settings or MatchingSettings(), codec, FOREIGN,
        clock or SystemClock(), new_id,
    )  # fmt: skip
    applied = await app.rebuild(context.store)
    log.info("matching: exchange rebuilt from %d events", applied)
    servicer = MatchingServicer(app)
    # One consumer (one group, one tracking name) for both sources, as since the first
    # release: its tracking name is the record of what it already applied.
    sources = FOREIGN.sources
    wiring = Wiring(
        service_names=[SERVICE_NAME],
        ownership=ownership_of(app),
        registrations=[
            lambda server: api_grpc.add_MatchingServiceServicer_to_server(servicer, server)
        ],
        consumers=[
            ConsumerSpec(
                sources,
                app.on_foreign_event,
                frozenset().union(
                    *(FOREIGN.event_types(s) | AccountDirectory.wanted(s) for s in sources)
                ),
            )
        ],
    )
    return Assembly(app, wiring)


def builder(
    settings: MatchingSettings,
    *,
    clock: Clock | None = None,
    new_id: Callable[[], str] = uuid4_id,
    built: Callable[[MatchingApplication], None] | None = None,
) -> Build:
    """The ``build`` the runtime calls, for these settings (tests pass a clock, and ``built``
    to see the application)."""

    async def build(context: ServiceContext) -> Wiring:
        assembly = await assemble(context, settings, clock=clock, new_id=new_id)
        if built is not None:
            built(assembly.app)
        return assembly.wiring

    return build


async def build(context: ServiceContext) -> Wiring:
    """The exchange with the default settings."""
    return (await assemble(context)).wiring
