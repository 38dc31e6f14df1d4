"""The registry's composition root: the application from settings and ports, its servicer,
consumers and (on PostgreSQL) the holdings table's projector."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from cqx.registry.v1 import registry_service_pb2_grpc as rpc
from cqx.registry.v1.registry_service_pb2 import DESCRIPTOR

from cqx_eventstore.postgres import PostgresEventStore
from cqx_registry.adapters.codec import CODEC
from cqx_registry.adapters.foreign import FOREIGN
from cqx_registry.adapters.holdings_projector import HoldingsProjector
from cqx_registry.adapters.holdings_table import HoldingsTable
from cqx_registry.adapters.servicer import SERVICE_NAME, RegistryServicer
from cqx_registry.application.app import RegistryApplication, ownership_of
from cqx_service import Assembly, ServiceContext, Wiring, consumers_of
from cqx_service.approval_servicer import serve_approvals

log = logging.getLogger("cqx.registry")


@dataclass(frozen=True)
class RegistryAssembly(Assembly[RegistryApplication]):
    """The registry's assembly: also the holdings table's projector (None off PostgreSQL)."""

    projector: HoldingsProjector | None = None


async def assemble(context: ServiceContext) -> RegistryAssembly:
    """Rebuild the registry from its log; on PostgreSQL, bring the holdings table up to date
    before serving (health stays NOT_SERVING meanwhile); wire it all."""
    app = RegistryApplication(context.journal, CODEC, FOREIGN)
    applied = await app.rebuild(context.store)
    log.info("registry: rebuilt %d accounts from %d events", len(app.state.accounts), applied)
    projector = await _projector(context)
    servicer = RegistryServicer(app)

    def register(server: Any) -> None:
        rpc.add_RegistryServiceServicer_to_server(servicer, server)

    approvals, register_approvals = serve_approvals(
        app, servicer, DESCRIPTOR.services_by_name["RegistryService"], context.settings.four_eyes
    )
    wiring = Wiring(
        service_names=[SERVICE_NAME, approvals],
        ownership=ownership_of(app),
        registrations=[register, register_approvals],
        consumers=consumers_of(app),
        on_stop=[projector.stop] if projector is not None else [],
    )
    return RegistryAssembly(app, wiring, projector)


async def _projector(context: ServiceContext) -> HoldingsProjector | None:
    store = context.store
    if not isinstance(store, PostgresEventStore):
        return None  # the holdings table is a PostgreSQL projection; memory has none
    projector = HoldingsProjector(store, HoldingsTable(store.pool, context.settings.schema))
    await projector.prepare()
    await projector.catch_up()
    projector.start()
    return projector


async def build(context: ServiceContext) -> Wiring:
    """The runtime's entry point (``ServiceRuntime(settings, build)``)."""
    return (await assemble(context)).wiring
