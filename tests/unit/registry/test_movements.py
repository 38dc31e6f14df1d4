"""Moves between registry, trading and frozen; cancellation (R-C8); freezes (R-A4)."""

from __future__ import annotations

from cqx_registry.domain import commands as cmd
from cqx_registry.domain import events as ev
from cqx_registry.domain.state import Holding
from tests.unit.registry.given import CEA_2024, given, issued, opened, refused, when


def _holding(registry: int = 1000) -> tuple[ev.Event, ...]:
    return (*opened("A"), issued("A", registry))


def test_moving_to_trading_takes_from_the_registry_position() -> None:
    state = given(*_holding())
    decided = when(state, cmd.MoveToTrading("m1", "A", CEA_2024, 400))
    assert decided.events == (ev.MovedToTrading("m1", "A", CEA_2024, 400),)
    assert state.holding("A", CEA_2024) == Holding(registry=600, trading=400)


def test_moving_more_than_the_registry_position_is_refused() -> None:
    error = refused(given(*_holding(100)), cmd.MoveToTrading("m1", "A", CEA_2024, 101))
    assert error.reason == "INSUFFICIENT_REGISTRY_POSITION"
    assert error.metadata["available_tonnes"] == "100"


def test_zero_or_negative_quantities_are_invalid_r_u1() -> None:
    for quantity in (0, -5):
        error = refused(given(*_holding()), cmd.MoveToTrading("m", "A", CEA_2024, quantity))
        assert error.reason == "QUANTITY_NOT_POSITIVE"


def test_an_unknown_account_or_instrument_is_refused() -> None:
    state = given(*_holding())
    assert refused(state, cmd.MoveToTrading("m", "B", CEA_2024, 1)).reason == "ACCOUNT_NOT_FOUND"
    assert refused(state, cmd.MoveToTrading("m", "A", "CEA-1999", 1)).reason == (
        "INSTRUMENT_UNKNOWN"
    )


def test_a_move_out_of_trading_is_pending_until_the_exchange_approves() -> None:
    state = given(*_holding(), ev.MovedToTrading("m1", "A", CEA_2024, 400))
    decided = when(state, cmd.MoveFromTrading("m2", "A", CEA_2024, 300))
    assert decided.events == (ev.MoveFromTradingRequested("m2", "A", CEA_2024, 300),)
    assert state.holding("A", CEA_2024) == Holding(registry=600, trading=400, pending_out=300)
    # What is pending cannot be asked out twice.
    error = refused(state, cmd.MoveFromTrading("m3", "A", CEA_2024, 101))
    assert error.reason == "INSUFFICIENT_TRADING_POSITION"
    assert when(state, cmd.ApproveWithdrawal("m2")).events == (
        ev.MovedFromTrading("m2", "A", CEA_2024, 300),
    )
    assert state.holding("A", CEA_2024) == Holding(registry=900, trading=100)


def test_a_refused_move_out_of_trading_leaves_the_quantity_in_trading() -> None:
    state = given(
        *_holding(),
        ev.MovedToTrading("m1", "A", CEA_2024, 400),
        ev.MoveFromTradingRequested("m2", "A", CEA_2024, 400),
    )
    decided = when(state, cmd.RefuseWithdrawal("m2", "RESERVED_BY_OPEN_ORDERS"))
    assert decided.events == (
        ev.MoveFromTradingRefused("m2", "A", CEA_2024, 400, "RESERVED_BY_OPEN_ORDERS"),
    )
    assert state.holding("A", CEA_2024) == Holding(registry=600, trading=400)


def test_an_answer_to_a_move_never_asked_for_or_answered_already_changes_nothing() -> None:
    state = given(
        *_holding(),
        ev.MovedToTrading("m1", "A", CEA_2024, 400),
        ev.MoveFromTradingRequested("m2", "A", CEA_2024, 100),
        ev.MovedFromTrading("m2", "A", CEA_2024, 100),
    )
    assert when(state, cmd.ApproveWithdrawal("m2")).events == ()
    assert when(state, cmd.RefuseWithdrawal("nope", "X")).events == ()
    assert state.holding("A", CEA_2024) == Holding(registry=700, trading=300)


def test_an_approval_the_trading_position_no_longer_covers_is_recorded_as_refused() -> None:
    state = given(
        *opened("A", "B"),
        issued("A", 100),
        ev.MovedToTrading("m1", "A", CEA_2024, 100),
        ev.MoveFromTradingRequested("m2", "A", CEA_2024, 100),
    )
    when(state, cmd.DeliverTrade("t1", "A", "B", CEA_2024, 100, "e1"))
    decided = when(state, cmd.ApproveWithdrawal("m2"))
    assert decided.events == (
        ev.MoveFromTradingRefused("m2", "A", CEA_2024, 100, "TRADING_POSITION_SHORT"),
    )
    assert state.holding("A", CEA_2024) == Holding()


def test_frozen_quantity_cannot_be_moved_cancelled_or_transferred_r_a4() -> None:
    state = given(*_holding(100))
    when(state, cmd.Freeze("f1", "A", CEA_2024, 80, "court order 7"))
    assert state.holding("A", CEA_2024) == Holding(registry=20, frozen=80)
    assert refused(state, cmd.MoveToTrading("m", "A", CEA_2024, 21)).reason == (
        "INSUFFICIENT_REGISTRY_POSITION"
    )
    assert refused(state, cmd.CancelAllowances("c", "A", CEA_2024, 21)).reason == (
        "INSUFFICIENT_REGISTRY_POSITION"
    )


def test_unfreezing_releases_what_the_freeze_holds_and_no_more() -> None:
    state = given(*_holding(100), ev.HoldingFrozen("f1", "A", CEA_2024, 80, "order"))
    assert when(state, cmd.Unfreeze("f1", 30)).events == (
        ev.HoldingUnfrozen("f1", "A", CEA_2024, 30),
    )
    assert state.holding("A", CEA_2024) == Holding(registry=50, frozen=50)
    assert refused(state, cmd.Unfreeze("f1", 51)).reason == "INSUFFICIENT_FROZEN_POSITION"
    assert refused(state, cmd.Unfreeze("f9", 1)).reason == "FREEZE_NOT_FOUND"
    assert refused(state, cmd.Unfreeze("", 1)).reason == "FREEZE_ID_MISSING"


def test_cancellation_removes_allowances_forever_r_c8() -> None:
    state = given(*_holding(100))
    decided = when(state, cmd.CancelAllowances("c1", "A", CEA_2024, 60))
    assert decided.events == (ev.AllowancesCancelled("c1", "A", CEA_2024, 60),)
    assert state.holding("A", CEA_2024) == Holding(registry=40)
    assert state.totals[CEA_2024].cancelled == 60
