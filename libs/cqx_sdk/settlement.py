"""The clearing house as a client sees it: cash, withdrawals, settled trades, settlement days.

Money is integer fen throughout (``format_amount`` in :mod:`cqx_sdk.money` shows it as CNY).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from cqx.settlement.v1 import settlement_service_pb2 as api
from cqx.settlement.v1 import settlement_service_pb2_grpc as api_grpc

from cqx_sdk.channels import ServiceChannel
from cqx_sdk.paging import DEFAULT_PAGE_SIZE
from cqx_sdk.settlement_views import (
    CashBalance,
    CashConservation,
    Deposit,
    SettlementDay,
    TradeSettlement,
    Withdrawal,
)


class SettlementClient:
    """The settlement service's RPCs as what a user does (``client.settlement``)."""

    def __init__(self, channel: ServiceChannel) -> None:
        self._channel = channel
        self._stub = api_grpc.SettlementServiceStub(channel.channel)

    async def deposit(
        self, account_id: str, amount_fen: int, *, request_id: str | None = None
    ) -> Deposit:
        """Operator: cash into the clearing account (the exchange credits its risk ledger)."""
        reply: api.DepositFundsResponse = await self._channel.mutate(
            self._stub.DepositFunds,
            api.DepositFundsRequest,
            request_id,
            account_id=account_id,
            amount_fen=amount_fen,
        )
        return Deposit(reply.deposit_id, reply.account_id, reply.amount_fen, reply.balance_fen)

    async def request_withdrawal(
        self, account_id: str, amount_fen: int, *, request_id: str | None = None
    ) -> Withdrawal:
        """Ask to take cash out; PENDING until the exchange approves what no order reserves."""
        reply: api.RequestWithdrawalResponse = await self._channel.mutate(
            self._stub.RequestWithdrawal,
            api.RequestWithdrawalRequest,
            request_id,
            account_id=account_id,
            amount_fen=amount_fen,
        )
        return Withdrawal.from_proto(reply.withdrawal)

    async def get_withdrawal(self, withdrawal_id: str) -> Withdrawal:
        """A withdrawal and where it stands."""
        request = api.GetWithdrawalRequest(withdrawal_id=withdrawal_id)
        reply: api.GetWithdrawalResponse = await self._channel.call(
            self._stub.GetWithdrawal, request
        )
        return Withdrawal.from_proto(reply.withdrawal)

    async def cash_balance(self, account_id: str) -> CashBalance:
        """An account's cash in the clearing ledger (NOT_FOUND ``CASH_ACCOUNT_NOT_FOUND``
        before its first deposit)."""
        request = api.GetCashBalanceRequest(account_id=account_id)
        reply: api.GetCashBalanceResponse = await self._channel.call(
            self._stub.GetCashBalance, request
        )
        return CashBalance(
            reply.account_id, reply.balance_fen, reply.pending_withdrawals_fen, reply.available_fen
        )

    async def trade_settlement(self, trade_id: str) -> TradeSettlement:
        """A trade's settlement: ``settled`` with its legs, ``failed`` with the reason, or
        ``unknown``."""
        request = api.GetTradeSettlementRequest(trade_id=trade_id)
        reply: api.GetTradeSettlementResponse = await self._channel.call(
            self._stub.GetTradeSettlement, request
        )
        return TradeSettlement.from_proto(reply.settlement)

    def list_settlements(
        self, trading_date: str = "", *, page_size: int = DEFAULT_PAGE_SIZE
    ) -> AsyncIterator[TradeSettlement]:
        """Every settlement (of one trading day, yyyy-mm-dd, if given), in settlement order."""
        return self._channel.paged(
            self._stub.ListSettlements,
            api.ListSettlementsRequest,
            "settlements",
            TradeSettlement.from_proto,
            page_size=page_size,
            trading_date=trading_date,
        )

    async def close_settlement_day(
        self,
        trading_date: str,
        *,
        expected_trade_count: int | None = None,
        expected_volume_tonnes: int | None = None,
        request_id: str | None = None,
    ) -> SettlementDay:
        """Close a day once every trade the exchange reported has settled (R-S2)."""
        expected = {
            name: figure
            for name, figure in (
                ("expected_trade_count", expected_trade_count),
                ("expected_volume_tonnes", expected_volume_tonnes),
            )
            if figure is not None  # optional fields: only the figures given are sent
        }
        reply: api.CloseSettlementDayResponse = await self._channel.mutate(
            self._stub.CloseSettlementDay,
            api.CloseSettlementDayRequest,
            request_id,
            trading_date=trading_date,
            **expected,
        )
        return SettlementDay.from_proto(reply.day)

    async def settlement_day(self, trading_date: str) -> SettlementDay:
        """A settlement day's figures and status."""
        request = api.GetSettlementDayRequest(trading_date=trading_date)
        reply: api.GetSettlementDayResponse = await self._channel.call(
            self._stub.GetSettlementDay, request
        )
        return SettlementDay.from_proto(reply.day)

    async def check_conservation(self) -> CashConservation:
        """Σ balances (fee account included) == Σ deposits − Σ completed withdrawals."""
        reply: api.CheckConservationResponse = await self._channel.call(
            self._stub.CheckConservation, api.CheckConservationRequest()
        )
        return CashConservation(
            reply.holds,
            reply.total_balances_fen,
            reply.deposited_fen,
            reply.withdrawn_fen,
            reply.fee_account_balance_fen,
        )
