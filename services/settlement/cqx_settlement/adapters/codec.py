"""Domain events ↔ ``cqx.settlement.v1`` messages (the shared codec: a table of pairs).

The domain names money and quantities plainly (``amount``, ``quantity``); the contract names
their units (``amount_fen``, ``quantity_tonnes``): :data:`cqx_service.codec.UNIT_RENAMES`.
"""

from __future__ import annotations

from cqx.settlement.v1 import events_pb2

from cqx_service.codec import EventCodec
from cqx_settlement.domain import events

CODEC: EventCodec[events.Event] = EventCodec(
    (
        (events.FundsDeposited, events_pb2.FundsDeposited),
        (events.CashWithdrawalRequested, events_pb2.CashWithdrawalRequested),
        (events.CashWithdrawn, events_pb2.CashWithdrawn),
        (events.CashWithdrawalRefused, events_pb2.CashWithdrawalRefused),
        (events.TradeSettled, events_pb2.TradeSettled),
        (events.TradeSettlementFailed, events_pb2.TradeSettlementFailed),
        (events.ExchangeDayReported, events_pb2.ExchangeDayReported),
        (events.SettlementDayClosed, events_pb2.SettlementDayClosed),
        (events.ReconciliationBreak, events_pb2.ReconciliationBreak),
        (events.DeliveryConfirmed, events_pb2.DeliveryConfirmed),
        (events.DeliveryRefused, events_pb2.DeliveryRefused),
    )
)
