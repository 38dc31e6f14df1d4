"""End of day: what the exchange reported against what the clearing house settled (R-S2).

A day closes only when the exchange has closed trading in every instrument that traded and
the settled volume equals the reported volume, instrument by instrument, with no trade left
unsettled. Anything else is a :class:`ReconciliationBreak`, recorded and never fixed quietly.
"""

from __future__ import annotations

from cqx_settlement.domain.commands import CloseSettlementDay, RecordExchangeDay
from cqx_settlement.domain.errors import (
    InvalidSettlementRequestError,
    ReconciliationBreakError,
    SettlementDayAlreadyClosedError,
    TradingDayNotClosedError,
)
from cqx_settlement.domain.events import (
    Event,
    ExchangeDayReported,
    ReconciliationBreak,
    SettlementDayClosed,
    TradeSettlementFailed,
)
from cqx_settlement.domain.ledger import ClearingLedger, DayStatus, SettlementDay
from cqx_settlement.domain.validation import require_trading_date


def record_exchange_day(ledger: ClearingLedger, c: RecordExchangeDay) -> list[Event]:
    """Remember the exchange's volume for an instrument's day; after the close, check it."""
    require_trading_date(c.trading_date)
    if not c.instrument or c.volume < 0:
        raise InvalidSettlementRequestError(
            "a day report needs an instrument and a volume ≥ 0", reason="DAY_REPORT_INVALID"
        )
    events: list[Event] = [
        ExchangeDayReported(c.trading_date, c.instrument, c.volume, c.turnover, c.source_event_id)
    ]
    day = ledger.days.get(c.trading_date)
    settled = day.settled_volume.get(c.instrument, 0) if day is not None else 0
    if day is not None and day.status is DayStatus.CLOSED and settled != c.volume:
        events.append(_volume_break(c.trading_date, c.instrument, c.volume, settled))
    return events


def close_day(ledger: ClearingLedger, c: CloseSettlementDay) -> list[Event]:
    """Close the day, or record why it does not reconcile (the caller then refuses)."""
    require_trading_date(c.trading_date)
    for figure in (c.expected_trade_count, c.expected_volume):
        if figure is not None and figure < 0:
            raise InvalidSettlementRequestError(
                "expected figures cannot be negative", reason="EXPECTED_FIGURE_NEGATIVE"
            )
    day = ledger.days.get(c.trading_date) or SettlementDay(c.trading_date)
    if day.status is DayStatus.CLOSED:
        raise SettlementDayAlreadyClosedError(
            f"settlement day {c.trading_date} is closed already",
            metadata={"trading_date": c.trading_date},
        )
    _require_exchange_closed(day)
    found = breaks(ledger, day, c)
    if not found:
        return [
            SettlementDayClosed(
                day.trading_date, day.trades_settled, day.cash_moved, day.tonnes_delivered
            )
        ]
    new = [b for b in found if b not in day.breaks]
    if not new:
        raise break_error(day.trading_date, found)
    return list(new)


def breaks(
    ledger: ClearingLedger, day: SettlementDay, c: CloseSettlementDay
) -> list[ReconciliationBreak]:
    """Every mismatch of the day, in a stable order."""
    date = day.trading_date
    found = [
        _volume_break(date, instrument, day.exchange_volume.get(instrument, 0), settled)
        for instrument in sorted(set(day.exchange_volume) | set(day.settled_volume))
        if (settled := day.settled_volume.get(instrument, 0))
        != day.exchange_volume.get(instrument, 0)
    ]
    for trade_id in day.unsettled:
        failed = ledger.settlements[trade_id]
        assert isinstance(failed, TradeSettlementFailed)
        found.append(_unsettled_break(failed))
    if c.expected_trade_count is not None and c.expected_trade_count != day.trades_settled:
        found.append(
            ReconciliationBreak(
                date, "", "", c.expected_trade_count, day.trades_settled,
                "TRADE_COUNT_MISMATCH: the operator expected another number of trades",
            )
        )  # fmt: skip
    if c.expected_volume is not None and c.expected_volume != day.tonnes_delivered:
        found.append(
            ReconciliationBreak(
                date, "", "", c.expected_volume, day.tonnes_delivered,
                "VOLUME_MISMATCH: the operator expected another volume for all instruments",
            )
        )  # fmt: skip
    return found


def break_error(trading_date: str, found: list[ReconciliationBreak]) -> ReconciliationBreakError:
    """The refusal a day with ``found`` breaks is answered with."""
    codes = sorted({b.code for b in found})
    return ReconciliationBreakError(
        f"settlement day {trading_date} does not reconcile: {', '.join(codes)}",
        metadata={"trading_date": trading_date, "breaks": str(len(found))},
    )


def _require_exchange_closed(day: SettlementDay) -> None:
    missing = sorted(day.instruments_traded - set(day.exchange_volume))
    if not day.exchange_volume or missing:
        raise TradingDayNotClosedError(
            f"the exchange has not closed trading day {day.trading_date}"
            + (f" for {', '.join(missing)}" if missing else ""),
            metadata={"trading_date": day.trading_date, "instruments": ",".join(missing)},
        )


def _volume_break(date: str, instrument: str, expected: int, actual: int) -> ReconciliationBreak:
    return ReconciliationBreak(
        date, "", instrument, expected, actual,
        f"VOLUME_MISMATCH: the exchange reported {expected} t of {instrument}, {actual} t settled",
    )  # fmt: skip


def _unsettled_break(failed: TradeSettlementFailed) -> ReconciliationBreak:
    return ReconciliationBreak(
        failed.trading_date, failed.buyer_account_id, failed.instrument, failed.quantity, 0,
        f"UNSETTLED_TRADE: trade {failed.trade_id} did not settle ({failed.reason})",
    )  # fmt: skip
