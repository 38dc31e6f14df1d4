"""Engine and service events ↔ ``cqx.matching.v1`` messages; the stored type is the proto's
full name (``cqx.matching.v1.TradeExecuted``).

The engine names money and quantities plainly (``price``, ``quantity``), accounts ``account``
and times ``at``; the contract names their units (``price_fen``, ``quantity_tonnes``,
``account_id``, ``occurred_at_us``). Each pair is converted field by field from a plan made
once from the dataclass's type hints. A few messages carry more than the engine's event: the
trade's ``trading_date`` and the ledger events' provenance (the foreign event, the move or
withdrawal they answer); decoding drops those, since replay does not need them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cqx.matching.v1 import events_pb2 as pb
from google.protobuf.message import Message

from cqx_matching.adapters.enums import ENUM_FROM, ENUM_TO
from cqx_matching.application.provenance import Provenance
from cqx_matching.domain import (
    AllowancesAssigned,
    AllowancesWithdrawn,
    BiddingAllocation,
    BiddingAnnounced,
    BiddingClosed,
    BidReleased,
    BidSubmitted,
    BlockTradeAgreed,
    BlockTradeCountered,
    BlockTradeExpired,
    BlockTradeProposed,
    BlockTradeWithdrawn,
    CommandRejected,
    DayClosed,
    Event,
    FundsDeposited,
    FundsWithdrawn,
    InstrumentConfig,
    InstrumentDayOpened,
    InstrumentListed,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderReduced,
    OrderRejected,
    OrderReplaced,
    SelfTradePrevention,
    TradeExecuted,
    TradingDayClosed,
    TradingDayOpened,
    TradingMode,
    TradingReinstated,
    TradingRestricted,
)
from cqx_service.codec import FieldPlan, plan

_PAIRS: tuple[tuple[type[Any], type[Message]], ...] = (
    (OrderAccepted, pb.OrderAccepted),
    (OrderRejected, pb.OrderRejected),
    (OrderCancelled, pb.OrderCancelled),
    (OrderReduced, pb.OrderReduced),
    (OrderReplaced, pb.OrderReplaced),
    (OrderExpired, pb.OrderExpired),
    (TradeExecuted, pb.TradeExecuted),
    (BlockTradeProposed, pb.BlockTradeProposed),
    (BlockTradeCountered, pb.BlockTradeCountered),
    (BlockTradeAgreed, pb.BlockTradeAgreed),
    (BlockTradeWithdrawn, pb.BlockTradeWithdrawn),
    (BlockTradeExpired, pb.BlockTradeExpired),
    (BiddingAnnounced, pb.BiddingAnnounced),
    (BidSubmitted, pb.BidSubmitted),
    (BidReleased, pb.BidReleased),
    (BiddingClosed, pb.BiddingClosed),
    (FundsDeposited, pb.FundsCredited),
    (FundsWithdrawn, pb.CashWithdrawalApproved),
    (AllowancesAssigned, pb.AllowancesCredited),
    (AllowancesWithdrawn, pb.AllowanceWithdrawalApproved),
    (TradingDayOpened, pb.ExchangeDayOpened),
    (DayClosed, pb.TradingDayClosed),
    (TradingDayClosed, pb.ExchangeDayClosed),
    (CommandRejected, pb.CommandRejected),
    (InstrumentDayOpened, pb.TradingDayOpened),
    (TradingRestricted, pb.TradingRestricted),
    (TradingReinstated, pb.TradingReinstated),
)
_SPECIAL_FIELDS = {"trade_id", "eligible", "accounts"}
_RESTRICTIONS = (TradingRestricted, TradingReinstated)
_PLANS: dict[type[Any], tuple[type[Message], list[FieldPlan]]] = {
    domain: (proto, plan(domain, proto, skip=_SPECIAL_FIELDS)) for domain, proto in _PAIRS
}
_DECODERS: dict[str, tuple[type[Any], type[Message], list[FieldPlan]]] = {
    proto.DESCRIPTOR.full_name: (domain, proto, _PLANS[domain][1]) for domain, proto in _PAIRS
}
INSTRUMENT_LISTED = pb.InstrumentListed.DESCRIPTOR.full_name
ALLOWANCE_REFUSED = pb.AllowanceWithdrawalRefused.DESCRIPTOR.full_name
CASH_REFUSED = pb.CashWithdrawalRefused.DESCRIPTOR.full_name
_OWN = frozenset({*_DECODERS, INSTRUMENT_LISTED, ALLOWANCE_REFUSED, CASH_REFUSED})
_NONE = Provenance()


def trade_id(instrument: str, sequence: int) -> str:
    """The published trade id: unique across instruments."""
    return f"{instrument}-{sequence}"


def encode(
    event: Event, trading_date: str = "", provenance: Provenance = _NONE
) -> tuple[str, bytes]:
    """``(event_type, payload)`` of an event; ``trading_date`` dates a trade."""
    message = to_message(event, trading_date, provenance)
    return message.DESCRIPTOR.full_name, message.SerializeToString()


def to_message(event: Event, trading_date: str = "", provenance: Provenance = _NONE) -> Message:
    """The contract message of an event."""
    if isinstance(event, InstrumentListed):
        return _listing_message(event)
    if isinstance(event, CommandRejected) and (provenance.move_id or provenance.withdrawal_id):
        return _refusal_message(event, provenance)
    proto, fields = _PLANS[type(event)]
    message: Any = proto(**{f.proto: f.out(getattr(event, f.domain)) for f in fields})
    if isinstance(event, TradeExecuted):
        message.trade_id = trade_id(event.instrument, event.trade_id)
        message.trade_sequence = event.trade_id
        message.trading_date = trading_date
    elif isinstance(event, BiddingAnnounced):
        message.restricted = event.eligible is not None
        message.eligible_account_ids.extend(sorted(event.eligible or ()))
    elif isinstance(event, _RESTRICTIONS):
        message.account_ids.extend(sorted(event.accounts))
    elif provenance is not _NONE:
        _stamp(message, provenance)
    result: Message = message
    return result


def _stamp(message: Message, provenance: Provenance) -> None:
    for name in ("source_event_id", "move_id", "withdrawal_id"):
        if name in message.DESCRIPTOR.fields_by_name:
            setattr(message, name, getattr(provenance, name))


def _refusal_message(event: CommandRejected, provenance: Provenance) -> Message:
    account, at = event.account or "", event.at
    if provenance.move_id:
        return pb.AllowanceWithdrawalRefused(
            move_id=provenance.move_id, account_id=account, instrument=event.instrument or "",
            quantity_tonnes=provenance.quantity, reason=event.reason, occurred_at_us=at,
        )  # fmt: skip
    return pb.CashWithdrawalRefused(
        withdrawal_id=provenance.withdrawal_id, account_id=account,
        amount_fen=provenance.quantity, reason=event.reason, occurred_at_us=at,
    )  # fmt: skip


def _listing_message(event: InstrumentListed) -> pb.InstrumentListed:
    c = event.config
    return pb.InstrumentListed(
        instrument=c.instrument, previous_close_fen=c.previous_close, tick_fen=c.tick,
        modes=[ENUM_TO[m] for m in sorted(c.modes)], listed_band_bps=c.listed_band_bps,
        block_band_bps=c.block_band_bps, bidding_band_bps=c.bidding_band_bps,
        listed_quantity_limit_tonnes=c.listed_quantity_limit,
        block_quantity_minimum_tonnes=c.block_quantity_minimum, fee_bps=c.fee_bps,
        maker_levels=c.maker_levels, depth_levels=c.depth_levels,
        self_trade_prevention=ENUM_TO[c.self_trade_prevention],
        bidding_allocation=ENUM_TO[c.bidding_allocation], occurred_at_us=event.at,
    )  # fmt: skip


def decode(event_type: str, payload: bytes) -> Event:
    """The event stored as ``(event_type, payload)``; KeyError for a type not ours."""
    if event_type == INSTRUMENT_LISTED:
        return _listing(pb.InstrumentListed.FromString(payload))
    if event_type in (ALLOWANCE_REFUSED, CASH_REFUSED):
        return _refusal(event_type, payload)
    domain, proto, fields = _DECODERS[event_type]
    message: Any = proto.FromString(payload)
    values = {f.domain: f.back(getattr(message, f.proto)) for f in fields}
    if domain is TradeExecuted:
        values["trade_id"] = message.trade_sequence
    elif domain is BiddingAnnounced:
        values["eligible"] = frozenset(message.eligible_account_ids) if message.restricted else None
    elif domain in _RESTRICTIONS:
        values["accounts"] = frozenset(message.account_ids)
    event: Event = domain(**values)
    return event


def _refusal(event_type: str, payload: bytes) -> CommandRejected:
    if event_type == ALLOWANCE_REFUSED:
        moved = pb.AllowanceWithdrawalRefused.FromString(payload)
        return CommandRejected(
            moved.instrument, "WithdrawAllowances", moved.account_id, moved.account_id,
            moved.reason, moved.occurred_at_us,
        )  # fmt: skip
    cash = pb.CashWithdrawalRefused.FromString(payload)
    return CommandRejected(
        None, "WithdrawFunds", cash.account_id, cash.account_id, cash.reason, cash.occurred_at_us
    )


def _listing(m: pb.InstrumentListed) -> InstrumentListed:
    modes = frozenset(ENUM_FROM[TradingMode][v] for v in m.modes)
    config = InstrumentConfig(
        m.instrument, previous_close=m.previous_close_fen, tick=m.tick_fen, modes=modes,
        listed_band_bps=m.listed_band_bps, block_band_bps=m.block_band_bps,
        bidding_band_bps=m.bidding_band_bps,
        listed_quantity_limit=m.listed_quantity_limit_tonnes,
        block_quantity_minimum=m.block_quantity_minimum_tonnes, fee_bps=m.fee_bps,
        maker_levels=m.maker_levels, depth_levels=m.depth_levels,
        self_trade_prevention=ENUM_FROM[SelfTradePrevention][m.self_trade_prevention],
        bidding_allocation=ENUM_FROM[BiddingAllocation][m.bidding_allocation],
    )  # fmt: skip
    return InstrumentListed(config, m.occurred_at_us)


def is_own(event_type: str) -> bool:
    """Whether ``event_type`` is one of the events this service records."""
    return event_type in _OWN


def iso(day: date | None) -> str:
    """A date as the contract writes it (empty for none)."""
    return day.isoformat() if day is not None else ""
