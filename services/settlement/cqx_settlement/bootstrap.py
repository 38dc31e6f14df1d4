"""Composition root: the clearing house built from settings, its servicer and its consumer."""

from __future__ import annotations

import logging
from collections.abc import Callable

from cqx.settlement.v1 import settlement_service_pb2_grpc as api_grpc

from cqx_kernel.clock import new_id as uuid4_id
from cqx_service import ConsumerSpec, ServiceContext, Wiring
from cqx_service.runtime import Build
from cqx_settlement.adapters import codec, inbound
from cqx_settlement.adapters.grpc_api import OPERATOR_METHODS, SERVICE_NAME, SettlementServicer
from cqx_settlement.application.clearing import ClearingHouse
from cqx_settlement.config import SettlementSettings
from cqx_settlement.domain.decide import ClearingRules

log = logging.getLogger("cqx.settlement")


def builder(settings: SettlementSettings, *, new_id: Callable[[], str] = uuid4_id) -> Build:
    """The ``build`` the runtime calls, for these settings (tests may pass their own ids)."""

    async def build(context: ServiceContext) -> Wiring:
        house = ClearingHouse(
            context.journal,
            ClearingRules(fee_account_id=settings.fee_account_id),
            codec,
            inbound.command_for,
            new_id,
        )
        applied = await house.rebuild(context.store)
        log.info("settlement: ledger rebuilt from %d events", applied)
        servicer = SettlementServicer(house)
        return Wiring(
            service_names=[SERVICE_NAME],
        operator_methods=OPERATOR_METHODS,
            registrations=[lambda server: api_grpc.add_SettlementServiceServicer_to_server(
                servicer, server)],
            # One consumer (and group, and tracking name) per source: a source added later
            # never makes an existing consumer start over.
            consumers=[
                ConsumerSpec(["matching"], house.on_foreign_event, inbound.FROM_MATCHING),
                ConsumerSpec(["registry"], house.on_foreign_event, inbound.FROM_REGISTRY),
            ],
        )  # fmt: skip

    return build


async def build(context: ServiceContext) -> Wiring:
    """The clearing house with the default settings."""
    return await builder(SettlementSettings())(context)
