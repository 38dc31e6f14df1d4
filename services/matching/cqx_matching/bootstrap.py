"""Composition root: the exchange built from settings, its servicer and its consumer."""

from __future__ import annotations

import logging
from collections.abc import Callable

from cqx.matching.v1 import matching_service_pb2_grpc as api_grpc

from cqx_kernel.clock import Clock, SystemClock
from cqx_kernel.clock import new_id as uuid4_id
from cqx_matching.adapters import codec, foreign
from cqx_matching.adapters.grpc_api import OPERATOR_METHODS, SERVICE_NAME, MatchingServicer
from cqx_matching.application.exchange_app import MatchingApplication
from cqx_matching.config import MatchingSettings
from cqx_service import ConsumerSpec, ServiceContext, Wiring
from cqx_service.runtime import Build

log = logging.getLogger("cqx.matching")


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
        app = MatchingApplication(
            context.journal, settings, codec, foreign.request_for, clock or SystemClock(), new_id
        )
        applied = await app.rebuild(context.store)
        log.info("matching: exchange rebuilt from %d events", applied)
        if built is not None:
            built(app)
        servicer = MatchingServicer(app)
        return Wiring(
            service_names=[SERVICE_NAME],
        operator_methods=OPERATOR_METHODS,
            registrations=[lambda server: api_grpc.add_MatchingServiceServicer_to_server(
                servicer, server)],
            consumers=[
                ConsumerSpec(foreign.SOURCE_CONTEXTS, app.on_foreign_event, foreign.EVENT_TYPES)
            ],
        )  # fmt: skip

    return build


async def build(context: ServiceContext) -> Wiring:
    """The exchange with the default settings."""
    return await builder(MatchingSettings())(context)
