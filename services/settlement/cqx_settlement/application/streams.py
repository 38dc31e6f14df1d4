"""Which stream each event is recorded on: cash-<account>, trade-<trade id>, day-<date>."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from cqx_eventstore import AppendRequest, NewEvent
from cqx_settlement.domain.events import (
    CashWithdrawalRefused,
    CashWithdrawalRequested,
    CashWithdrawn,
    DeliveryConfirmed,
    DeliveryRefused,
    Event,
    FundsDeposited,
    TradeSettled,
    TradeSettlementFailed,
)

Encode = Callable[[Event], tuple[str, bytes]]


def stream_of(event: Event) -> str:
    """The stream ``event`` belongs to."""
    if isinstance(event, FundsDeposited | CashWithdrawalRequested | CashWithdrawn):
        return f"cash-{event.account_id}"
    if isinstance(event, CashWithdrawalRefused):
        return f"cash-{event.account_id}"
    if isinstance(
        event, TradeSettled | TradeSettlementFailed | DeliveryConfirmed | DeliveryRefused
    ):
        return f"trade-{event.trade_id}"
    return f"day-{event.trading_date}"


def append_requests(
    events: Sequence[Event],
    encode: Encode,
    new_id: Callable[[], str],
    metadata: Mapping[str, str],
) -> list[AppendRequest]:
    """One append per run of events on the same stream, in the order they were decided."""
    requests: list[AppendRequest] = []
    run: list[NewEvent] = []
    stream = ""
    for event in events:
        if run and stream_of(event) != stream:
            requests.append(AppendRequest(stream, None, run, dict(metadata)))
            run = []
        stream = stream_of(event)
        event_type, payload = encode(event)
        run.append(NewEvent(new_id(), event_type, payload))
    if run:
        requests.append(AppendRequest(stream, None, run, dict(metadata)))
    return requests
