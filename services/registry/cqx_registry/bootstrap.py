"""The registry's composition root: the application, its servicer, consumers and projector."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cqx.registry.v1 import registry_service_pb2_grpc as rpc

from cqx_registry.adapters.foreign import EVENT_TYPES as FOREIGN_EVENT_TYPES
from cqx_registry.adapters.foreign import SOURCE_CONTEXTS
from cqx_registry.adapters.holdings_table import HoldingsTable
from cqx_registry.adapters.servicer import OPERATOR_METHODS, SERVICE_NAME, RegistryServicer
from cqx_registry.application.projector import HoldingsProjector
from cqx_registry.application.registry_app import RegistryApplication
from cqx_service import ConsumerSpec, ServiceContext, Wiring


@dataclass(frozen=True)
class Assembly:
    """What :func:`assemble` built: the application (tests inspect it) and the wiring."""

    app: RegistryApplication
    wiring: Wiring


async def assemble(context: ServiceContext) -> Assembly:
    """Rebuild the registry from its log, bring the holdings table up to date, wire it all."""
    settings = context.settings
    projector = HoldingsProjector(
        context.store,
        HoldingsTable(context.store.pool, settings.schema),
        admin_dsn=settings.database_url,
        role=await context.store.pool.fetchval("SELECT current_user"),
    )
    app = await RegistryApplication.start(context.store, context.journal, projector)
    await projector.prepare()
    await projector.catch_up()  # before serving: health stays NOT_SERVING meanwhile
    projector.start()
    servicer = RegistryServicer(app)

    def register(server: Any) -> None:
        rpc.add_RegistryServiceServicer_to_server(servicer, server)

    wiring = Wiring(
        service_names=[SERVICE_NAME],
        operator_methods=OPERATOR_METHODS,
        registrations=[register],
        consumers=[
            ConsumerSpec([source], app.on_foreign_event, FOREIGN_EVENT_TYPES)
            for source in SOURCE_CONTEXTS
        ],
        on_stop=[projector.stop],
    )
    return Assembly(app, wiring)


async def build(context: ServiceContext) -> Wiring:
    """The runtime's entry point (``ServiceRuntime(settings, build)``)."""
    return (await assemble(context)).wiring
