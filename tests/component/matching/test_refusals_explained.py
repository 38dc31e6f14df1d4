"""Refusals that explain, through gRPC: the ErrorInfo metadata (fen, tonnes) and the message
(CNY) say what was allowed; a retry gets the same; a partly filled order's cancel says how
much was cancelled."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable

import grpc
import pytest
from cqx.matching.v1 import events_pb2 as events
from cqx.matching.v1 import matching_service_pb2 as api

from cqx_grpc import error_info
from cqx_kernel.clock import FixedClock
from cqx_service import RuntimeSettings
from tests.component.matching.support import (
    MONDAY_MORNING,
    Matching,
    matching_service,
    rid,
)

BUY, SELL = events.SIDE_BUY, events.SIDE_SELL


@pytest.fixture(scope="module")
async def service(settings: RuntimeSettings) -> AsyncIterator[Matching]:
    """One exchange for the module, on Monday 3 March 2025, 10:00 in Shanghai."""
    async with matching_service(settings, FixedClock(MONDAY_MORNING)) as running:
        await running.credit("seller", "CEA-2021", 500)
        await running.fund("buyer", 1_000_000)
        await running.open_day("CEA-2021")  # previous close 60.00: the band 54.00–66.00
        yield running


async def refusal(call: Awaitable[object]) -> tuple[grpc.StatusCode, str, dict[str, str], str]:
    """Status code, reason, metadata and message of a call that must fail."""
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await call
    info = error_info(failure.value)
    assert info is not None, "the status carries no ErrorInfo"
    return failure.value.code(), info.reason, dict(info.metadata), failure.value.details() or ""


def order(account: str, side: int, tonnes: int, price: int, request_id: str = "") -> object:
    """A limit day order for CEA-2021."""
    return api.PlaceOrderRequest(
        request_id=request_id or rid(), account_id=account, instrument="CEA-2021", side=side,
        quantity_tonnes=tonnes, price_fen=price,
    )  # fmt: skip


async def test_a_price_outside_the_band_names_the_band_and_a_retry_gets_the_same(
    service: Matching,
) -> None:
    request = order("buyer", BUY, 10, 9_500, request_id=rid())
    first = await refusal(service.stub.PlaceOrder(request))
    code, reason, metadata, message = first
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PRICE_OUTSIDE_BAND")
    assert {k: metadata[k] for k in ("band_lower_fen", "band_upper_fen", "price_fen")} == {
        "band_lower_fen": "5400", "band_upper_fen": "6600", "price_fen": "9500",
    }  # fmt: skip
    assert (metadata["mode"], metadata["reference_price_fen"]) == ("CONTINUOUS", "6000")
    assert message == (
        "price 95.00 is outside the continuous band 54.00–66.00 CNY (previous close 60.00)"
    )
    assert await refusal(service.stub.PlaceOrder(request)) == first  # the recorded answer


async def test_short_of_funds_names_the_callers_own_free_funds(service: Matching) -> None:
    code, reason, metadata, message = await refusal(
        service.stub.PlaceOrder(order("buyer", BUY, 200, 6_000))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS")
    # 200 t at 60.00 is 12,000.00 CNY, plus the 5 bp fee of 6.00.
    assert {k: metadata[k] for k in ("account_id", "free_funds_fen", "required_funds_fen")} == {
        "account_id": "buyer", "free_funds_fen": "1000000", "required_funds_fen": "1200600",
    }  # fmt: skip
    assert message == "account buyer has 10,000.00 CNY free; this needs 12,006.00 CNY"


async def test_short_of_allowances_names_the_callers_own_free_quantity(
    service: Matching,
) -> None:
    code, reason, metadata, message = await refusal(
        service.stub.PlaceOrder(order("seller", SELL, 501, 6_000))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_ALLOWANCES")
    assert (metadata["free_quantity_tonnes"], metadata["required_quantity_tonnes"]) == (
        "500", "501",
    )  # fmt: skip
    assert message == "account seller has 500 t of CEA-2021 free to sell; this needs 501 t"


async def test_an_account_the_exchange_never_had_is_not_found(service: Matching) -> None:
    await service.opened("stranger")  # the registry opened it; nothing reached the exchange
    code, reason, metadata, message = await refusal(
        service.stub.PlaceOrder(order("stranger", BUY, 1, 6_000))
    )
    assert (code, reason) == (grpc.StatusCode.NOT_FOUND, "ACCOUNT_NOT_FOUND")
    assert metadata["account_id"] == "stranger"
    assert message.startswith("account stranger is not known to the exchange")


async def test_a_continuous_order_too_large_names_its_limit_not_the_listed_book(
    service: Matching,
) -> None:
    code, reason, metadata, message = await refusal(
        service.stub.PlaceOrder(order("buyer", BUY, 10_000_000, 6_000))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "QUANTITY_TOO_LARGE")
    assert (metadata["quantity_limit_tonnes"], metadata["max_quantity_tonnes"]) == (
        "100000", "99999",
    )  # fmt: skip
    assert metadata["mode"] == "CONTINUOUS"
    assert message == (
        "10,000,000 t is too large for a continuous order: it must be under 100,000 t "
        "(at most 99,999 t)"
    )


async def test_cancelling_a_partly_filled_order_says_how_much_was_cancelled(
    service: Matching,
) -> None:
    resting = (await service.stub.PlaceOrder(order("seller", SELL, 100, 6_000))).order
    await service.stub.PlaceOrder(order("buyer", BUY, 30, 6_000))
    cancel = api.CancelOrderRequest(
        request_id=rid(), account_id="seller", order_id=resting.order_id
    )
    cancelled = (await service.stub.CancelOrder(cancel)).order
    assert (cancelled.filled_tonnes, cancelled.cancelled_tonnes) == (30, 70)
    assert cancelled.status == api.ORDER_STATUS_CANCELLED
    shown = await service.stub.GetOrder(api.GetOrderRequest(order_id=resting.order_id))
    assert shown.order.cancelled_tonnes == 70
