"""What the registry does with allocation's issuances and settlement's deliveries."""

from __future__ import annotations

import pytest

from cqx_registry.domain import commands as cmd
from cqx_registry.domain import events as ev
from cqx_registry.domain.events import DeliveryLeg
from cqx_registry.domain.state import Holding
from tests.unit.registry.given import CEA_2024, given, issued, opened, when


def test_an_issuance_credits_the_registry_position_and_the_issued_total() -> None:
    state = given(*opened("A"))
    decided = when(state, cmd.IssueAllowances("i1", "A", CEA_2024, 500, "e1"))
    assert decided.events == (ev.AllowancesIssued("A", CEA_2024, 500, "i1", "e1"),)
    assert state.holding("A", CEA_2024) == Holding(registry=500)
    assert state.totals[CEA_2024].issued == 500


@pytest.mark.parametrize(
    ("issuance", "reason"),
    [
        (cmd.IssueAllowances("i2", "NOBODY", CEA_2024, 5, "e"), "ACCOUNT_NOT_FOUND"),
        (cmd.IssueAllowances("i2", "A", "CEA-1990", 5, "e"), "INSTRUMENT_UNKNOWN"),
        (cmd.IssueAllowances("i2", "A", CEA_2024, 0, "e"), "QUANTITY_NOT_POSITIVE"),
        (cmd.IssueAllowances("i1", "A", CEA_2024, 5, "e"), "ISSUANCE_DUPLICATE"),
        (cmd.IssueAllowances("", "A", CEA_2024, 5, "e"), "ISSUANCE_ID_MISSING"),
    ],
)
def test_an_issuance_that_cannot_be_applied_is_recorded_as_rejected(
    issuance: cmd.IssueAllowances, reason: str
) -> None:
    state = given(*opened("A"), ev.AllowancesIssued("A", CEA_2024, 10, "i1", "e0"))
    decided = when(state, issuance)
    assert decided.events == (
        ev.IssuanceRejected(
            issuance.issuance_id,
            issuance.account_id,
            reason,
            issuance.instrument,
            issuance.quantity,
            "e",
        ),
    )
    assert state.totals[CEA_2024].issued == 10


def test_a_settled_trade_moves_the_trading_position_from_seller_to_buyer() -> None:
    state = given(*opened("S", "B"), issued("S", 100), ev.MovedToTrading("m", "S", CEA_2024, 100))
    decided = when(state, cmd.DeliverTrade("t1", "S", "B", CEA_2024, 30, "e1"))
    parts = ("t1", "S", "B", CEA_2024, 30, "e1")
    assert decided.events == (
        ev.TradeDeliveryApplied(*parts, DeliveryLeg.SELLER),
        ev.TradeDeliveryApplied(*parts, DeliveryLeg.BUYER),
    )
    assert state.holding("S", CEA_2024) == Holding(trading=70)
    assert state.holding("B", CEA_2024) == Holding(trading=30)


def test_a_trade_between_one_account_and_itself_is_one_event_and_no_change() -> None:
    state = given(*opened("S"), issued("S", 100), ev.MovedToTrading("m", "S", CEA_2024, 100))
    decided = when(state, cmd.DeliverTrade("t1", "S", "S", CEA_2024, 30, "e1"))
    assert [e.leg for e in decided.events if isinstance(e, ev.TradeDeliveryApplied)] == [
        DeliveryLeg.BOTH
    ]
    assert state.holding("S", CEA_2024) == Holding(trading=100)


@pytest.mark.parametrize(
    ("delivery", "reason"),
    [
        (cmd.DeliverTrade("t2", "S", "X", CEA_2024, 5, "e"), "ACCOUNT_NOT_FOUND"),
        (cmd.DeliverTrade("t2", "S", "B", "CEA-2024x", 5, "e"), "INSTRUMENT_UNKNOWN"),
        (cmd.DeliverTrade("t2", "S", "B", CEA_2024, 0, "e"), "QUANTITY_NOT_POSITIVE"),
        (cmd.DeliverTrade("t2", "S", "B", CEA_2024, 51, "e"), "INSUFFICIENT_TRADING_POSITION"),
        (cmd.DeliverTrade("t1", "S", "B", CEA_2024, 5, "e"), "TRADE_ALREADY_DELIVERED"),
    ],
)
def test_a_delivery_that_cannot_be_applied_is_recorded_as_rejected(
    delivery: cmd.DeliverTrade, reason: str
) -> None:
    state = given(*opened("S", "B"), issued("S", 100), ev.MovedToTrading("m", "S", CEA_2024, 100))
    when(state, cmd.DeliverTrade("t1", "S", "B", CEA_2024, 50, "e0"))
    decided = when(state, delivery)
    assert [type(e) for e in decided.events] == [ev.TradeDeliveryRejected]
    assert isinstance(decided.events[0], ev.TradeDeliveryRejected)
    assert decided.events[0].reason == reason
    assert state.holding("S", CEA_2024) == Holding(trading=50)
