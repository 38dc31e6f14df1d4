"""End of day: what the exchange reported against what the clearing house settled (R-S2).

A day closes only when the exchange has closed trading in every instrument that traded, the
registry has answered for the allowance leg of every trade that settled, the settled volume
equals the reported volume instrument by instrument, no trade is left unsettled, and what the
registry moved in each account's trading position equals what the day's trades moved there.
Anything else is a :class:`ReconciliationBreak`, recorded and never fixed quietly.
"""

from __future__ import annotations

from cqx_settlement.domain.commands import CloseSettlementDay, RecordExchangeDay
from cqx_settlement.domain.deliveries import refused_break
from cqx_settlement.domain.errors import (
    DeliveriesPendingError,
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
    TradeSettled,
    TradeSettlementFailed,
)
from cqx_settlement.domain.ledger import (
    ClearingLedger,
    DayStatus,
    SettlementDay,
    fully_delivered,
)
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
    _require_registry_answers(ledger, day)
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
    found += [refused_break(refused) for refused in day.refused.values()]
    found += _position_breaks(ledger, day)
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


def trade_moves(ledger: ClearingLedger, day: SettlementDay) -> dict[tuple[str, str], int]:
    """What the day's settled trades move in each (account, instrument) trading position."""
    moves: dict[tuple[str, str], int] = {}
    for trade_id in day.trade_ids:
        settled = ledger.settlements[trade_id]
        if isinstance(settled, TradeSettled) and trade_id not in day.refused:
            buyer = (settled.buyer_account_id, settled.instrument)
            seller = (settled.seller_account_id, settled.instrument)
            moves[buyer] = moves.get(buyer, 0) + settled.quantity
            moves[seller] = moves.get(seller, 0) - settled.quantity
    return moves


def _position_breaks(ledger: ClearingLedger, day: SettlementDay) -> list[ReconciliationBreak]:
    """Each trading position the registry moved otherwise than the day's trades did."""
    expected = trade_moves(ledger, day)
    return [
        ReconciliationBreak(
            day.trading_date, account, instrument, expected.get(key, 0), moved,
            f"POSITION_MISMATCH: the registry moved {moved} t in {account}'s {instrument} "
            f"trading position, the day's trades {expected.get(key, 0)} t",
        )
        for key in sorted(set(expected) | set(day.registry_moves))
        if (moved := day.registry_moves.get(key, 0)) != expected.get(key, 0)
        for account, instrument in (key,)
    ]  # fmt: skip


def _require_registry_answers(ledger: ClearingLedger, day: SettlementDay) -> None:
    pending = [
        t
        for t in day.trade_ids
        if isinstance(ledger.settlements[t], TradeSettled)
        and not fully_delivered(day, t)
        and t not in day.refused
    ]
    if pending:
        raise DeliveriesPendingError(
            f"the registry has not yet applied {len(pending)} settled trade(s) of "
            f"{day.trading_date} (first: {pending[0]}); try again shortly",
            metadata={"trading_date": day.trading_date, "pending": str(len(pending))},
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
