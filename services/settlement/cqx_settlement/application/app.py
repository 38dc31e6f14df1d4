"""The clearing house on the shared skeleton: one in-memory ledger, its rules, its streams.

At start it folds its own log into a :class:`ClearingLedger`. Client commands, and the
exchange's and the registry's events, run through :class:`cqx_service.EventSourcedApplication`
(decided and applied synchronously, recorded in decision order).
"""

from __future__ import annotations

from collections.abc import Callable

from cqx_kernel.clock import new_id as uuid4_id
from cqx_service import Codec, Decided, EventSourcedApplication, ForeignEvents, Journal
from cqx_service.policy import Ownership
from cqx_settlement.domain.commands import CloseSettlementDay, Command
from cqx_settlement.domain.days import break_error
from cqx_settlement.domain.decide import ClearingRules, decide
from cqx_settlement.domain.events import (
    CashWithdrawalRefused,
    CashWithdrawalRequested,
    CashWithdrawn,
    DeliveryConfirmed,
    DeliveryRefused,
    Event,
    FundsDeposited,
    ReconciliationBreak,
    TradeSettled,
    TradeSettlementFailed,
)
from cqx_settlement.domain.ledger import ClearingLedger, evolve


class ClearingHouse(EventSourcedApplication[Event, Command]):
    """The in-memory clearing ledger and the one way it changes."""

    def __init__(
        self,
        journal: Journal,
        rules: ClearingRules,
        codec: Codec[Event],
        foreign: ForeignEvents[Command],
        *,
        new_id: Callable[[], str] = uuid4_id,
    ) -> None:
        super().__init__(journal, codec, foreign, new_id=new_id)
        self.rules = rules
        self.ledger = ClearingLedger()

    def decide(self, command: Command) -> Decided[Event]:
        """The rules' events; a day that does not reconcile records its breaks, then refuses."""
        events = decide(self.ledger, command, self.rules)  # raises: nothing recorded
        breaks = [e for e in events if isinstance(e, ReconciliationBreak)]
        if breaks and isinstance(command, CloseSettlementDay):
            return Decided(events, break_error(command.trading_date, breaks))
        return Decided(events)

    def evolve(self, event: Event) -> None:
        """Apply ``event`` to the ledger."""
        evolve(self.ledger, event)

    def stream_of(self, event: Event) -> str:
        """``cash-<account>``, ``trade-<trade id>`` or ``day-<date>``."""
        if isinstance(
            event, FundsDeposited | CashWithdrawalRequested | CashWithdrawn | CashWithdrawalRefused
        ):
            return f"cash-{event.account_id}"
        if isinstance(
            event, TradeSettled | TradeSettlementFailed | DeliveryConfirmed | DeliveryRefused
        ):
            return f"trade-{event.trade_id}"
        return f"day-{event.trading_date}"


def ownership_of(house: ClearingHouse) -> Ownership:
    """Who owns what here, for the policy: accounts (from the registry's events), a
    withdrawal (its account) and a trade's settlement (the buyer's and the seller's)."""

    def withdrawal_accounts(withdrawal_id: str) -> tuple[str, ...] | None:
        found = house.ledger.withdrawals.get(withdrawal_id)
        return None if found is None else (found.account_id,)

    def trade_accounts(trade_id: str) -> tuple[str, ...] | None:
        found = house.ledger.settlements.get(trade_id)
        return None if found is None else (found.buyer_account_id, found.seller_account_id)

    return Ownership(
        house.directory.owner_of, {"withdrawal": withdrawal_accounts, "trade": trade_accounts}
    )
