"""Given events → when command → then events, for the clearing house's rules."""

from __future__ import annotations

from cqx_settlement.domain.commands import Command, ConfirmDelivery, SettleTrade
from cqx_settlement.domain.decide import ClearingRules, decide
from cqx_settlement.domain.events import Event, FundsDeposited
from cqx_settlement.domain.ledger import ClearingLedger, evolve

FEES = "exchange-fees"
RULES = ClearingRules(fee_account_id=FEES)
DATE = "2025-03-14"


def given(*events: Event) -> ClearingLedger:
    """A ledger that has recorded ``events``."""
    ledger = ClearingLedger()
    for event in events:
        evolve(ledger, event)
    return ledger


def when(ledger: ClearingLedger, command: Command) -> list[Event]:
    """What ``command`` causes; the events are applied to ``ledger`` as the service does."""
    events = decide(ledger, command, RULES)
    for event in events:
        evolve(ledger, event)
    return events


def deposited(account_id: str, amount: int, deposit_id: str | None = None) -> FundsDeposited:
    """A deposit event."""
    return FundsDeposited(deposit_id or f"d-{account_id}-{amount}", account_id, amount)


def trade(
    trade_id: str = "T1",
    *,
    price: int = 7_463,
    quantity: int = 1_000,
    buyer: str = "buyer",
    seller: str = "seller",
    buyer_fee: int = 0,
    seller_fee: int = 0,
    instrument: str = "CEA-2025",
    trading_date: str = DATE,
) -> SettleTrade:
    """The exchange's report of a trade, as a command."""
    return SettleTrade(
        trade_id=trade_id,
        instrument=instrument,
        price=price,
        quantity=quantity,
        buyer_account_id=buyer,
        seller_account_id=seller,
        buyer_fee=buyer_fee,
        seller_fee=seller_fee,
        trading_date=trading_date,
        source_event_id=f"evt-{trade_id}",
    )


def balance(ledger: ClearingLedger, account_id: str) -> int:
    """An account's balance (0 if it never held cash)."""
    account = ledger.accounts.get(account_id)
    return account.balance if account is not None else 0


def delivered(settled: SettleTrade, leg: str, *, quantity: int | None = None) -> ConfirmDelivery:
    """The registry's report that it applied one side (``leg``: SELLER, BUYER, BOTH) of
    ``settled``'s allowance leg (as given, unless ``quantity`` says it moved another)."""
    return ConfirmDelivery(
        trade_id=settled.trade_id,
        instrument=settled.instrument,
        seller_account_id=settled.seller_account_id,
        buyer_account_id=settled.buyer_account_id,
        quantity=settled.quantity if quantity is None else quantity,
        source_event_id=f"reg-{settled.trade_id}-{leg}",
        leg=leg,
    )


def both_sides(settled: SettleTrade) -> list[ConfirmDelivery]:
    """What the registry reports for a delivery it applied: the seller's side, the buyer's."""
    return [delivered(settled, "SELLER"), delivered(settled, "BUYER")]
