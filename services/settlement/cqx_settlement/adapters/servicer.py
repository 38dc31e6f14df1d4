"""``cqx.settlement.v1.SettlementService``: requests to commands and queries, answers back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cqx.settlement.v1 import settlement_service_pb2 as api
from cqx.settlement.v1 import settlement_service_pb2_grpc as api_grpc

from cqx_service.servicer import ServicerBase
from cqx_settlement.adapters import views
from cqx_settlement.application import queries
from cqx_settlement.application.app import ClearingHouse
from cqx_settlement.domain import commands
from cqx_settlement.domain.events import Event

SERVICE_NAME: str = api.DESCRIPTOR.services_by_name["SettlementService"].full_name
Context = Any  # grpc.aio.ServicerContext (grpc ships no type hints)


class SettlementServicer(ServicerBase[ClearingHouse], api_grpc.SettlementServiceServicer):
    """The gRPC face of the clearing house (proto ↔ command, nothing else)."""

    async def DepositFunds(  # noqa: N802 (gRPC's method names)
        self, request: api.DepositFundsRequest, context: Context
    ) -> api.DepositFundsResponse:
        """Credit cash to a trading account."""
        house = self.app
        command = commands.DepositFunds(house.new_id(), request.account_id, request.amount_fen)

        def answer(_: Sequence[Event]) -> bytes:
            return api.DepositFundsResponse(
                deposit_id=command.deposit_id,
                account_id=command.account_id,
                amount_fen=command.amount,
                balance_fen=house.ledger.accounts[command.account_id].balance,
            ).SerializeToString()

        raw = await self.execute(request, command, answer)
        return api.DepositFundsResponse.FromString(raw)

    async def RequestWithdrawal(  # noqa: N802
        self, request: api.RequestWithdrawalRequest, context: Context
    ) -> api.RequestWithdrawalResponse:
        """Hold cash for a withdrawal until the exchange answers."""
        house = self.app
        command = commands.RequestWithdrawal(house.new_id(), request.account_id, request.amount_fen)

        def answer(_: Sequence[Event]) -> bytes:
            held = house.ledger.withdrawals[command.withdrawal_id]
            return api.RequestWithdrawalResponse(
                withdrawal=views.withdrawal_view(held)
            ).SerializeToString()

        raw = await self.execute(request, command, answer)
        return api.RequestWithdrawalResponse.FromString(raw)

    async def GetWithdrawal(  # noqa: N802
        self, request: api.GetWithdrawalRequest, context: Context
    ) -> api.GetWithdrawalResponse:
        """A withdrawal and where it stands."""
        found = queries.withdrawal(self.app.ledger, request.withdrawal_id)
        return api.GetWithdrawalResponse(withdrawal=views.withdrawal_view(found))

    async def GetCashBalance(  # noqa: N802
        self, request: api.GetCashBalanceRequest, context: Context
    ) -> api.GetCashBalanceResponse:
        """An account's balance and what pending withdrawals hold of it."""
        return views.balance_view(queries.cash_account(self.app.ledger, request.account_id))

    async def GetTradeSettlement(  # noqa: N802
        self, request: api.GetTradeSettlementRequest, context: Context
    ) -> api.GetTradeSettlementResponse:
        """How a trade settled (UNKNOWN if it never reached the clearing house)."""
        found = queries.settlement(self.app.ledger, request.trade_id)
        view = (
            views.unknown_settlement(request.trade_id)
            if found is None
            else views.settlement_view(found)
        )
        return api.GetTradeSettlementResponse(settlement=view)

    async def ListSettlements(  # noqa: N802
        self, request: api.ListSettlementsRequest, context: Context
    ) -> api.ListSettlementsResponse:
        """Settlements in the order they happened, a page at a time."""
        page = queries.settlements_page(
            self.app.ledger, request.trading_date, request.page_size, request.page_token
        )
        return api.ListSettlementsResponse(
            settlements=[views.settlement_view(s) for s in page.settlements],
            next_page_token=page.next_page_token,
        )

    async def CloseSettlementDay(  # noqa: N802
        self, request: api.CloseSettlementDayRequest, context: Context
    ) -> api.CloseSettlementDayResponse:
        """Close a day that reconciles; record the breaks of one that does not."""
        house = self.app
        command = commands.CloseSettlementDay(
            request.trading_date,
            request.expected_trade_count if request.HasField("expected_trade_count") else None,
            request.expected_volume_tonnes if request.HasField("expected_volume_tonnes") else None,
        )

        def answer(_: Sequence[Event]) -> bytes:
            day = house.ledger.days[command.trading_date]
            return api.CloseSettlementDayResponse(day=views.day_view(day)).SerializeToString()

        raw = await self.execute(request, command, answer)
        return api.CloseSettlementDayResponse.FromString(raw)

    async def GetSettlementDay(  # noqa: N802
        self, request: api.GetSettlementDayRequest, context: Context
    ) -> api.GetSettlementDayResponse:
        """A day's status and totals."""
        day = queries.settlement_day(self.app.ledger, request.trading_date)
        return api.GetSettlementDayResponse(day=views.day_view(day))

    async def CheckConservation(  # noqa: N802
        self, request: api.CheckConservationRequest, context: Context
    ) -> api.CheckConservationResponse:
        """Σ balances against Σ deposits − Σ completed withdrawals."""
        ledger = self.app.ledger
        check = queries.conservation(ledger)
        fee_account = ledger.accounts.get(self.app.rules.fee_account_id)
        return api.CheckConservationResponse(
            holds=check.holds,
            total_balances_fen=check.total_balances,
            deposited_fen=check.deposited,
            withdrawn_fen=check.withdrawn,
            fee_account_balance_fen=fee_account.balance if fee_account is not None else 0,
        )
