"""The gRPC servicer of ``cqx.registry.v1.RegistryService``: proto ↔ command, nothing else."""

# ruff: noqa: N802 (the method names are the RPCs')

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from cqx.registry.v1 import registry_service_pb2 as api
from cqx.registry.v1 import registry_service_pb2_grpc as rpc
from google.protobuf.message import Message

from cqx_registry.adapters.codec import account_kind, participant_kind
from cqx_registry.adapters.messages import (
    account_message,
    conservation_message,
    holding_message,
    participant_message,
)
from cqx_registry.application.app import RegistryApplication
from cqx_registry.domain import commands as cmd
from cqx_service.servicer import ServicerBase

SERVICE_NAME: str = api.DESCRIPTOR.services_by_name["RegistryService"].full_name
C = TypeVar("C", bound=cmd.ClientCommand)
M = TypeVar("M", bound=Message)


class RegistryServicer(ServicerBase[RegistryApplication], rpc.RegistryServiceServicer):
    """Maps each RPC to a command or a query of the application."""

    async def RegisterParticipant(
        self, request: api.RegisterParticipantRequest, context: Any
    ) -> api.RegisterParticipantResponse:
        r = request
        return await self._run(
            r,
            lambda _: cmd.RegisterParticipant(r.participant_id, participant_kind(r.kind), r.name),
            lambda c: api.RegisterParticipantResponse(participant=self._member(c)),
            api.RegisterParticipantResponse,
        )

    async def GetParticipant(
        self, request: api.GetParticipantRequest, context: Any
    ) -> api.GetParticipantResponse:
        found = self.app.participant(request.participant_id)
        return api.GetParticipantResponse(participant=participant_message(found))

    async def ListParticipants(
        self, request: api.ListParticipantsRequest, context: Any
    ) -> api.ListParticipantsResponse:
        found, token = self.app.participants_page(request.page_size, request.page_token)
        return api.ListParticipantsResponse(
            participants=[participant_message(p) for p in found], next_page_token=token
        )

    async def RestrictParticipant(
        self, request: api.RestrictParticipantRequest, context: Any
    ) -> api.RestrictParticipantResponse:
        r = request
        return await self._run(
            r,
            lambda _: cmd.RestrictParticipant(r.participant_id, r.reason),
            lambda c: api.RestrictParticipantResponse(participant=self._member(c)),
            api.RestrictParticipantResponse,
        )

    async def ReinstateParticipant(
        self, request: api.ReinstateParticipantRequest, context: Any
    ) -> api.ReinstateParticipantResponse:
        r = request
        return await self._run(
            r,
            lambda _: cmd.ReinstateParticipant(r.participant_id),
            lambda c: api.ReinstateParticipantResponse(participant=self._member(c)),
            api.ReinstateParticipantResponse,
        )

    async def OpenAccount(
        self, request: api.OpenAccountRequest, context: Any
    ) -> api.OpenAccountResponse:
        r = request
        return await self._run(
            r,
            lambda _: cmd.OpenAccount(r.account_id, account_kind(r.kind), r.name, r.participant_id),
            lambda c: api.OpenAccountResponse(
                account=account_message(self.app.account(c.account_id))
            ),
            api.OpenAccountResponse,
        )

    async def GetAccount(
        self, request: api.GetAccountRequest, context: Any
    ) -> api.GetAccountResponse:
        return api.GetAccountResponse(account=account_message(self.app.account(request.account_id)))

    async def ListAccounts(
        self, request: api.ListAccountsRequest, context: Any
    ) -> api.ListAccountsResponse:
        accounts, token = self.app.accounts_page(request.page_size, request.page_token)
        return api.ListAccountsResponse(
            accounts=[account_message(a) for a in accounts], next_page_token=token
        )

    async def GetHoldings(
        self, request: api.GetHoldingsRequest, context: Any
    ) -> api.GetHoldingsResponse:
        view = await self.app.holdings(request.account_id, request.as_of_position)
        return api.GetHoldingsResponse(
            account_id=view.account_id,
            holdings=[holding_message(view.account_id, i, h) for i, h in view.holdings.items()],
            position=view.position,
        )

    async def MoveToTrading(
        self, request: api.MoveToTradingRequest, context: Any
    ) -> api.MoveToTradingResponse:
        r = request
        return await self._run(
            r,
            lambda new_id: cmd.MoveToTrading(new_id, r.account_id, r.instrument, r.quantity_tonnes),
            lambda c: api.MoveToTradingResponse(
                move_id=c.move_id, holding=self._holding(c.account_id, c.instrument)
            ),
            api.MoveToTradingResponse,
        )

    async def MoveFromTrading(
        self, request: api.MoveFromTradingRequest, context: Any
    ) -> api.MoveFromTradingResponse:
        r = request
        return await self._run(
            r,
            lambda new_id: cmd.MoveFromTrading(
                new_id, r.account_id, r.instrument, r.quantity_tonnes
            ),
            lambda c: api.MoveFromTradingResponse(
                move_id=c.move_id, holding=self._holding(c.account_id, c.instrument)
            ),
            api.MoveFromTradingResponse,
        )

    async def TransferAllowances(
        self, request: api.TransferAllowancesRequest, context: Any
    ) -> api.TransferAllowancesResponse:
        r = request
        return await self._run(
            r,
            lambda new_id: cmd.TransferAllowances(
                new_id, r.from_account_id, r.to_account_id, r.instrument, r.quantity_tonnes
            ),
            lambda c: api.TransferAllowancesResponse(
                transfer_id=c.transfer_id,
                from_holding=self._holding(c.from_account_id, c.instrument),
                to_holding=self._holding(c.to_account_id, c.instrument),
            ),
            api.TransferAllowancesResponse,
        )

    async def Surrender(self, request: api.SurrenderRequest, context: Any) -> api.SurrenderResponse:
        r = request
        return await self._run(
            r,
            lambda new_id: cmd.Surrender(
                new_id, r.account_id, r.instrument, r.quantity_tonnes, r.compliance_year
            ),
            lambda c: api.SurrenderResponse(
                surrender_id=c.surrender_id, holding=self._holding(c.account_id, c.instrument)
            ),
            api.SurrenderResponse,
        )

    async def CancelAllowances(
        self, request: api.CancelAllowancesRequest, context: Any
    ) -> api.CancelAllowancesResponse:
        r = request
        return await self._run(
            r,
            lambda new_id: cmd.CancelAllowances(
                new_id, r.account_id, r.instrument, r.quantity_tonnes
            ),
            lambda c: api.CancelAllowancesResponse(
                cancellation_id=c.cancellation_id, holding=self._holding(c.account_id, c.instrument)
            ),
            api.CancelAllowancesResponse,
        )

    async def Freeze(self, request: api.FreezeRequest, context: Any) -> api.FreezeResponse:
        r = request
        return await self._run(
            r,
            lambda new_id: cmd.Freeze(
                new_id, r.account_id, r.instrument, r.quantity_tonnes, r.reason
            ),
            lambda c: api.FreezeResponse(
                freeze_id=c.freeze_id, holding=self._holding(c.account_id, c.instrument)
            ),
            api.FreezeResponse,
        )

    async def Unfreeze(self, request: api.UnfreezeRequest, context: Any) -> api.UnfreezeResponse:
        r = request
        return await self._run(
            r,
            lambda _: cmd.Unfreeze(r.freeze_id, r.quantity_tonnes),
            self._unfrozen,
            api.UnfreezeResponse,
        )

    async def CheckConservation(
        self, request: api.CheckConservationRequest, context: Any
    ) -> api.CheckConservationResponse:
        checked = [conservation_message(c) for c in self.app.conservation(request.instrument)]
        return api.CheckConservationResponse(
            instruments=checked, holds=all(c.holds for c in checked)
        )

    def _unfrozen(self, c: cmd.Unfreeze) -> api.UnfreezeResponse:
        record = self.app.state.freezes[c.freeze_id]
        return api.UnfreezeResponse(
            freeze_id=c.freeze_id,
            remaining_frozen_tonnes=record.remaining,
            holding=self._holding(record.account_id, record.instrument),
        )

    def _member(
        self, c: cmd.RegisterParticipant | cmd.RestrictParticipant | cmd.ReinstateParticipant
    ) -> api.Participant:
        return participant_message(self.app.participant(c.participant_id))

    def _holding(self, account_id: str, instrument: str) -> api.Holding:
        return holding_message(account_id, instrument, self.app.holding(account_id, instrument))

    async def _run(
        self,
        request: Message,
        make: Callable[[str], C],
        render: Callable[[C], M],
        response: type[M],
    ) -> M:
        """Run the command ``make`` builds (given a fresh id for what it creates)."""
        command = make(self.app.new_id())
        return await self.run(request, command, lambda _: render(command), response)
