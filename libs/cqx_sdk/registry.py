"""The registry as a client sees it: participants, their accounts and the allowances they
hold."""

from __future__ import annotations

from collections.abc import AsyncIterator

from cqx.registry.v1 import registry_service_pb2 as api
from cqx.registry.v1 import registry_service_pb2_grpc as api_grpc

from cqx_sdk.channels import ServiceChannel
from cqx_sdk.paging import DEFAULT_PAGE_SIZE
from cqx_sdk.registry_participants import ParticipantCalls
from cqx_sdk.registry_views import (
    Account,
    AccountKind,
    Conservation,
    Holding,
    HoldingChange,
    Holdings,
    InstrumentConservation,
    Transfer,
)


class RegistryClient(ParticipantCalls):
    """The registry's RPCs as what a user does (``client.registry``); the participant calls
    are :class:`~cqx_sdk.registry_participants.ParticipantCalls`'."""

    def __init__(self, channel: ServiceChannel) -> None:
        self._channel = channel
        self._stub = api_grpc.RegistryServiceStub(channel.channel)

    async def open_account(
        self,
        account_id: str,
        kind: AccountKind,
        name: str,
        participant_id: str,
        *,
        request_id: str | None = None,
    ) -> Account:
        """Open an account of a registered participant under an id the caller chooses (the
        participant's kind decides which kinds it may open: R-A1, R-A2)."""
        reply: api.OpenAccountResponse = await self._channel.mutate(
            self._stub.OpenAccount,
            api.OpenAccountRequest,
            request_id,
            account_id=account_id,
            kind=kind.to_proto(),
            name=name,
            participant_id=participant_id,
        )
        return Account.from_proto(reply.account)

    async def get_account(self, account_id: str) -> Account:
        """One account (``CqxApiError`` NOT_FOUND ``ACCOUNT_NOT_FOUND`` if there is none)."""
        request = api.GetAccountRequest(account_id=account_id)
        reply: api.GetAccountResponse = await self._channel.call(self._stub.GetAccount, request)
        return Account.from_proto(reply.account)

    def list_accounts(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> AsyncIterator[Account]:
        """Every account, in account id order (pages are fetched as you iterate)."""
        return self._channel.paged(
            self._stub.ListAccounts,
            api.ListAccountsRequest,
            "accounts",
            Account.from_proto,
            page_size=page_size,
        )

    async def holdings(self, account_id: str, as_of_position: int = 0) -> Holdings:
        """An account's holdings now, or as of a position of the registry's log."""
        request = api.GetHoldingsRequest(account_id=account_id, as_of_position=as_of_position)
        reply: api.GetHoldingsResponse = await self._channel.call(self._stub.GetHoldings, request)
        held = tuple(Holding.from_proto(h) for h in reply.holdings)
        return Holdings(reply.account_id, held, reply.position)

    async def move_to_trading(
        self, account_id: str, instrument: str, quantity: int, *, request_id: str | None = None
    ) -> HoldingChange:
        """Registry position → trading position (the exchange credits its risk ledger)."""
        reply: api.MoveToTradingResponse = await self._channel.mutate(
            self._stub.MoveToTrading,
            api.MoveToTradingRequest,
            request_id,
            account_id=account_id,
            instrument=instrument,
            quantity_tonnes=quantity,
        )
        return HoldingChange(reply.move_id, Holding.from_proto(reply.holding))

    async def move_from_trading(
        self, account_id: str, instrument: str, quantity: int, *, request_id: str | None = None
    ) -> HoldingChange:
        """Ask to move trading position → registry position; the quantity shows as
        ``pending_out_tonnes`` until the exchange approves (only free quantity may leave)."""
        reply: api.MoveFromTradingResponse = await self._channel.mutate(
            self._stub.MoveFromTrading,
            api.MoveFromTradingRequest,
            request_id,
            account_id=account_id,
            instrument=instrument,
            quantity_tonnes=quantity,
        )
        return HoldingChange(reply.move_id, Holding.from_proto(reply.holding))

    async def transfer(
        self,
        from_account_id: str,
        to_account_id: str,
        instrument: str,
        quantity: int,
        *,
        request_id: str | None = None,
    ) -> Transfer:
        """Registry position → another account's registry position."""
        reply: api.TransferAllowancesResponse = await self._channel.mutate(
            self._stub.TransferAllowances,
            api.TransferAllowancesRequest,
            request_id,
            from_account_id=from_account_id,
            to_account_id=to_account_id,
            instrument=instrument,
            quantity_tonnes=quantity,
        )
        return Transfer(
            reply.transfer_id,
            Holding.from_proto(reply.from_holding),
            Holding.from_proto(reply.to_holding),
        )

    async def surrender(
        self,
        account_id: str,
        instrument: str,
        quantity: int,
        compliance_year: int,
        *,
        request_id: str | None = None,
    ) -> HoldingChange:
        """Surrender allowances against a compliance year (R-C3)."""
        reply: api.SurrenderResponse = await self._channel.mutate(
            self._stub.Surrender,
            api.SurrenderRequest,
            request_id,
            account_id=account_id,
            instrument=instrument,
            quantity_tonnes=quantity,
            compliance_year=compliance_year,
        )
        return HoldingChange(reply.surrender_id, Holding.from_proto(reply.holding))

    async def cancel_allowances(
        self, account_id: str, instrument: str, quantity: int, *, request_id: str | None = None
    ) -> HoldingChange:
        """Cancel allowances voluntarily: removed forever (R-C8)."""
        reply: api.CancelAllowancesResponse = await self._channel.mutate(
            self._stub.CancelAllowances,
            api.CancelAllowancesRequest,
            request_id,
            account_id=account_id,
            instrument=instrument,
            quantity_tonnes=quantity,
        )
        return HoldingChange(reply.cancellation_id, Holding.from_proto(reply.holding))

    async def freeze(
        self,
        account_id: str,
        instrument: str,
        quantity: int,
        reason: str,
        *,
        request_id: str | None = None,
    ) -> HoldingChange:
        """Freeze part of a registry position (R-A4); the answer's id names the freeze."""
        reply: api.FreezeResponse = await self._channel.mutate(
            self._stub.Freeze,
            api.FreezeRequest,
            request_id,
            account_id=account_id,
            instrument=instrument,
            quantity_tonnes=quantity,
            reason=reason,
        )
        return HoldingChange(reply.freeze_id, Holding.from_proto(reply.holding))

    async def unfreeze(
        self, freeze_id: str, quantity: int, *, request_id: str | None = None
    ) -> HoldingChange:
        """Release (part of) a freeze back to the registry position."""
        reply: api.UnfreezeResponse = await self._channel.mutate(
            self._stub.Unfreeze,
            api.UnfreezeRequest,
            request_id,
            freeze_id=freeze_id,
            quantity_tonnes=quantity,
        )
        return HoldingChange(reply.freeze_id, Holding.from_proto(reply.holding))

    async def check_conservation(self, instrument: str = "") -> Conservation:
        """Conservation per instrument (every instrument ever issued when none is named)."""
        request = api.CheckConservationRequest(instrument=instrument)
        reply: api.CheckConservationResponse = await self._channel.call(
            self._stub.CheckConservation, request
        )
        checked = tuple(
            InstrumentConservation(
                c.instrument,
                c.issued_tonnes,
                c.registry_tonnes,
                c.trading_tonnes,
                c.frozen_tonnes,
                c.surrendered_tonnes,
                c.cancelled_tonnes,
                c.holds,
            )
            for c in reply.instruments
        )
        return Conservation(checked, reply.holds)
