"""Composition root: the clearing house built from settings and ports, its servicer and its
consumers."""

from __future__ import annotations

import logging
from collections.abc import Callable

from cqx.settlement.v1 import settlement_service_pb2_grpc as api_grpc
from cqx.settlement.v1.settlement_service_pb2 import DESCRIPTOR

from cqx_kernel.clock import new_id as uuid4_id
from cqx_service import Assembly, ServiceContext, Wiring, consumers_of
from cqx_service.approval_servicer import serve_approvals
from cqx_service.runtime import Build
from cqx_settlement.adapters.codec import CODEC
from cqx_settlement.adapters.foreign import FOREIGN
from cqx_settlement.adapters.servicer import SERVICE_NAME, SettlementServicer
from cqx_settlement.application.app import ClearingHouse, ownership_of
from cqx_settlement.config import SettlementSettings
from cqx_settlement.domain.decide import ClearingRules

log = logging.getLogger("cqx.settlement")


async def assemble(
    context: ServiceContext,
    settings: SettlementSettings | None = None,
    *,
    new_id: Callable[[], str] = uuid4_id,
) -> Assembly[ClearingHouse]:
    """The clearing house rebuilt from its log, and its wiring."""
    settings = settings or SettlementSettings()
    house = ClearingHouse(
        context.journal,
        ClearingRules(fee_account_id=settings.fee_account_id),
        CODEC,
        FOREIGN,
        new_id=new_id,
    )
    applied = await house.rebuild(context.store)
    log.info("settlement: ledger rebuilt from %d events", applied)
    servicer = SettlementServicer(house)
    approvals, register_approvals = serve_approvals(
        house, servicer, DESCRIPTOR.services_by_name["SettlementService"],
        context.settings.four_eyes, _withdrawal_threshold(context.settings.withdrawal_approval_fen),
    )  # fmt: skip
    wiring = Wiring(
        service_names=[SERVICE_NAME, approvals],
        ownership=ownership_of(house),
        registrations=[
            lambda server: api_grpc.add_SettlementServiceServicer_to_server(servicer, server),
            register_approvals,
        ],
        consumers=consumers_of(house),
    )
    return Assembly(house, wiring)


def _withdrawal_threshold(limit: int | None) -> dict[str, tuple[str, int]]:
    """A member's withdrawal above ``limit`` fen waits for an operator (four eyes)."""
    return {} if limit is None else {"RequestWithdrawal": ("amount_fen", limit)}


def builder(settings: SettlementSettings, *, new_id: Callable[[], str] = uuid4_id) -> Build:
    """The ``build`` the runtime calls, for these settings (tests may pass their own ids)."""

    async def build(context: ServiceContext) -> Wiring:
        return (await assemble(context, settings, new_id=new_id)).wiring

    return build


async def build(context: ServiceContext) -> Wiring:
    """The clearing house with the default settings."""
    return (await assemble(context)).wiring
