"""The risk ledger from the registry's and settlement's events: credits, and withdrawals that
only free (unreserved) assets may make."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import events_pb2 as events
from cqx.registry.v1 import events_pb2 as registry
from cqx.settlement.v1 import events_pb2 as settlement

from cqx_kernel.clock import FixedClock
from cqx_service import RuntimeSettings
from tests.component.matching.support import (
    MONDAY_MORNING,
    Matching,
    envelope,
    eventually,
    inject,
    matching_service,
    of_type,
    publish,
    published,
)

SELL = events.SIDE_SELL
CEA = "CEA-2024"


@pytest.fixture(scope="module")
async def service(settings: RuntimeSettings) -> AsyncIterator[Matching]:
    """One exchange for the module, CEA-2024 open."""
    async with matching_service(settings, FixedClock(MONDAY_MORNING)) as running:
        await running.credit("warm-up", CEA, 1)
        await running.open_day(CEA)
        yield running


async def move_out(
    service: Matching, account: str, tonnes: int
) -> events.AllowanceWithdrawalApproved | events.AllowanceWithdrawalRefused:
    """Ask (as the registry) to move allowances out of trading; the exchange's answer."""
    move_id = f"move-{secrets.token_hex(4)}"
    request = registry.MoveFromTradingRequested(
        move_id=move_id, account_id=account, instrument=CEA, quantity_tonnes=tonnes
    )
    await inject(service.settings, "registry", request, f"account-{account}")

    def answers(item: EventEnvelope) -> bool:
        return of_type(events.AllowanceWithdrawalApproved, move_id=move_id)(item) or of_type(
            events.AllowanceWithdrawalRefused, move_id=move_id
        )(item)

    found = await published(service.settings, answers, within=30)
    if found.event_type.endswith("Approved"):
        return events.AllowanceWithdrawalApproved.FromString(found.payload)
    return events.AllowanceWithdrawalRefused.FromString(found.payload)


async def test_allowances_moved_into_trading_are_credited_and_published(service: Matching) -> None:
    event_id = await inject(
        service.settings, "registry",
        registry.MovedToTrading(move_id="m-1", account_id="credit-1", instrument=CEA,
                                quantity_tonnes=700),
        "account-credit-1",
    )  # fmt: skip
    credited = events.AllowancesCredited.FromString(
        (
            await published(
                service.settings, of_type(events.AllowancesCredited, account_id="credit-1")
            )
        ).payload
    )
    assert (credited.instrument, credited.quantity_tonnes) == (CEA, 700)
    assert credited.source_event_id == event_id
    assert (await service.allowances("credit-1", CEA)).free_tonnes == 700


async def test_a_redelivered_credit_is_applied_once(service: Matching) -> None:
    moved = envelope(
        "registry",
        registry.MovedToTrading(move_id="m-2", account_id="credit-2", instrument=CEA,
                                quantity_tonnes=50),
        "account-credit-2",
    )  # fmt: skip
    later = envelope(
        "registry",
        registry.MovedToTrading(move_id="m-3", account_id="credit-2", instrument=CEA,
                                quantity_tonnes=1),
        "account-credit-2",
    )  # fmt: skip
    await publish(service.settings, "registry", moved, moved, later)

    async def all_handled() -> bool:  # in topic order: the later credit comes last
        return (await service.allowances("credit-2", CEA)).free_tonnes >= 51

    await eventually(all_handled)
    assert (await service.allowances("credit-2", CEA)).free_tonnes == 51


async def test_only_free_allowances_may_leave_trading(service: Matching) -> None:
    await service.credit("mover", CEA, 1_000)
    await service.place("mover", CEA, SELL, 600, 6_000)  # reserves 600
    refused = await move_out(service, "mover", 401)
    assert isinstance(refused, events.AllowanceWithdrawalRefused)
    assert (refused.reason, refused.quantity_tonnes) == ("INSUFFICIENT_ALLOWANCES", 401)
    approved = await move_out(service, "mover", 400)
    assert isinstance(approved, events.AllowanceWithdrawalApproved)
    assert (approved.account_id, approved.instrument, approved.quantity_tonnes) == (
        "mover", CEA, 400,
    )  # fmt: skip
    position = await service.allowances("mover", CEA)
    assert (position.free_tonnes, position.reserved_tonnes) == (0, 600)


async def test_unknown_instruments_cannot_leave_trading(service: Matching) -> None:
    move_id = "move-unknown"
    request = registry.MoveFromTradingRequested(
        move_id=move_id, account_id="mover-2", instrument="CEA-2077", quantity_tonnes=1
    )
    await inject(service.settings, "registry", request, "account-mover-2")
    found = await published(
        service.settings, of_type(events.AllowanceWithdrawalRefused, move_id=move_id)
    )
    assert (
        events.AllowanceWithdrawalRefused.FromString(found.payload).reason == "UNKNOWN_INSTRUMENT"
    )


async def test_only_free_cash_may_leave_trading(service: Matching) -> None:
    await service.fund("cash-1", 100_000)
    await service.place("cash-1", CEA, events.SIDE_BUY, 10, 5_900)  # reserves 59,029
    too_much = settlement.CashWithdrawalRequested(
        withdrawal_id="w-1", account_id="cash-1", amount_fen=40_972
    )
    await inject(service.settings, "settlement", too_much, "cash-cash-1")
    refused = events.CashWithdrawalRefused.FromString(
        (
            await published(
                service.settings, of_type(events.CashWithdrawalRefused, withdrawal_id="w-1")
            )
        ).payload
    )
    assert (refused.reason, refused.amount_fen) == ("INSUFFICIENT_FUNDS", 40_972)
    enough = settlement.CashWithdrawalRequested(
        withdrawal_id="w-2", account_id="cash-1", amount_fen=40_971
    )
    await inject(service.settings, "settlement", enough, "cash-cash-1")
    approved = await published(
        service.settings, of_type(events.CashWithdrawalApproved, withdrawal_id="w-2")
    )
    assert events.CashWithdrawalApproved.FromString(approved.payload).amount_fen == 40_971

    async def drained() -> bool:
        balance = await service.balance("cash-1")
        return (balance.free_cash_fen, balance.reserved_cash_fen) == (0, 59_029)

    await eventually(drained)
