"""Properties of the cash ledger under any sequence of deposits, withdrawals and trades.

Conservation: at every point, Σ balances over all accounts (the fee account included) equals
Σ deposits − Σ completed withdrawals, counted from the events recorded, not from the ledger's
own totals. No balance ever goes negative. Replaying the recorded events rebuilds the same
ledger the live decisions produced.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from cqx_settlement.domain.commands import (
    Command,
    CompleteWithdrawal,
    DepositFunds,
    RefuseWithdrawal,
    RequestWithdrawal,
    SettleTrade,
)
from cqx_settlement.domain.decide import decide
from cqx_settlement.domain.errors import SettlementError
from cqx_settlement.domain.events import CashWithdrawn, Event, FundsDeposited
from cqx_settlement.domain.ledger import ClearingLedger, WithdrawalStatus, evolve
from tests.unit.settlement.support import RULES, trade

ACCOUNTS = ["a", "b", "c", "d"]


@dataclass(frozen=True)
class Answer:
    """The exchange answers the ``pick``-th pending withdrawal (approve, refuse, or approve a
    different amount than was requested)."""

    kind: str
    pick: int


Op = DepositFunds | RequestWithdrawal | SettleTrade | Answer

account = st.sampled_from(ACCOUNTS)
fen = st.integers(min_value=-5, max_value=10**9)
ids = st.uuids().map(str)
deposits = st.builds(DepositFunds, ids, account, fen)
withdrawals = st.builds(RequestWithdrawal, ids, account, fen)
answer_kinds = st.sampled_from(["approve", "refuse", "approve-other"])
answers = st.builds(Answer, answer_kinds, st.integers(0, 50))
trades = st.builds(
    trade,
    st.integers(min_value=0, max_value=8).map(lambda n: f"T{n}"),  # repeats must settle once
    price=st.integers(min_value=0, max_value=10**5),
    quantity=st.integers(min_value=0, max_value=10**4),
    buyer=account,
    seller=account,
    buyer_fee=st.integers(min_value=-1, max_value=10**5),
    seller_fee=st.integers(min_value=-1, max_value=10**5),
)
operations = st.lists(st.one_of(deposits, withdrawals, answers, trades), max_size=80)


def command_for(op: Op, ledger: ClearingLedger) -> Command:
    """The command an operation stands for, against the ledger as it is."""
    if not isinstance(op, Answer):
        return op
    pending = [w for w in ledger.withdrawals.values() if w.status is WithdrawalStatus.PENDING]
    if not pending:
        return CompleteWithdrawal("none", "a", 1)
    chosen = pending[op.pick % len(pending)]
    wid, acct, amount = chosen.withdrawal_id, chosen.account_id, chosen.amount
    if op.kind == "refuse":
        return RefuseWithdrawal(wid, acct, amount, "RESERVED")
    if op.kind == "approve-other":
        return CompleteWithdrawal(wid, acct, amount + 1)
    return CompleteWithdrawal(wid, acct, amount)


def run(ops: list[Op]) -> tuple[ClearingLedger, list[Event], list[int]]:
    """Apply the operations; the ledger, every event recorded, and the imbalance at each step."""
    ledger = ClearingLedger()
    recorded: list[Event] = []
    imbalances: list[int] = []
    for op in ops:
        try:
            events = decide(ledger, command_for(op, ledger), RULES)
        except SettlementError:
            events = []
        for event in events:
            evolve(ledger, event)
        recorded.extend(events)
        deposited = sum(e.amount for e in recorded if isinstance(e, FundsDeposited))
        withdrawn = sum(e.amount for e in recorded if isinstance(e, CashWithdrawn))
        imbalances.append(ledger.total_balances() - (deposited - withdrawn))
        assert all(a.balance >= 0 for a in ledger.accounts.values()), ledger.accounts
    return ledger, recorded, imbalances


@settings(max_examples=400, deadline=None)
@given(operations)
def test_cash_is_conserved_at_every_step(ops: list[Op]) -> None:
    _, _, imbalances = run(ops)
    assert imbalances == [0] * len(ops)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_replaying_the_recorded_events_rebuilds_the_live_ledger(
    ops: list[Op],
) -> None:
    live, recorded, _ = run(ops)
    replayed = ClearingLedger()
    for event in recorded:
        evolve(replayed, event)
    assert replayed == live


def test_the_property_sees_trades_settle_and_withdrawals_complete() -> None:
    # Guards the properties above against a generator that never reaches the interesting paths.
    paid = trade("T1", price=7_000, quantity=100, buyer="a", seller="b", buyer_fee=350,
                 seller_fee=350)  # fmt: skip
    ops: list[Op] = [
        DepositFunds("d1", "a", 10**8),
        paid,
        RequestWithdrawal("w1", "b", 100_000),
        Answer("approve", 0),
        paid,
    ]
    ledger, recorded, imbalances = run(ops)
    assert imbalances == [0] * 5
    assert ledger.accounts["exchange-fees"].balance == 700
    assert ledger.accounts["b"].balance == 700_000 - 350 - 100_000
    assert sum(isinstance(e, CashWithdrawn) for e in recorded) == 1
