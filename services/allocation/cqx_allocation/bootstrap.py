"""The composition root: the allocation application, rebuilt from its log, and its wiring."""

from __future__ import annotations

import logging
from typing import Any

from cqx.allocation.v1 import allocation_service_pb2_grpc as api_grpc
from cqx.allocation.v1.allocation_service_pb2 import DESCRIPTOR

from cqx_allocation.adapters.codec import CODEC
from cqx_allocation.adapters.foreign import FOREIGN
from cqx_allocation.adapters.servicer import SERVICE_NAME, AllocationServicer
from cqx_allocation.application.app import AllocationApplication, ownership_of
from cqx_service import Assembly, ServiceContext, Wiring, consumers_of
from cqx_service.approval_servicer import serve_approvals

log = logging.getLogger("cqx.allocation")


async def assemble(context: ServiceContext) -> Assembly[AllocationApplication]:
    """Rebuild the state from the service's own log; serve it; consume the registry's events."""
    app = AllocationApplication(context.journal, CODEC, FOREIGN)
    applied = await app.rebuild(context.store)
    log.info("allocation: rebuilt from %d events", applied)
    servicer = AllocationServicer(app)

    def register(server: Any) -> None:
        api_grpc.add_AllocationServiceServicer_to_server(servicer, server)

    approvals, register_approvals = serve_approvals(
        app, servicer, DESCRIPTOR.services_by_name["AllocationService"], context.settings.four_eyes
    )
    wiring = Wiring(
        service_names=[SERVICE_NAME, approvals],
        ownership=ownership_of(app),
        registrations=[register, register_approvals],
        consumers=consumers_of(app),
    )
    return Assembly(app, wiring)


async def build(context: ServiceContext) -> Wiring:
    """The runtime's entry point (``ServiceRuntime(settings, build)``)."""
    return (await assemble(context)).wiring
