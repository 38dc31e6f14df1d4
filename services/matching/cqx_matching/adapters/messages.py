"""Read models and engine values → ``cqx.matching.v1`` API messages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cqx.matching.v1 import matching_service_pb2 as api

from cqx_matching.adapters.codec import iso, trade_id
from cqx_matching.adapters.enums import ENUM_TO
from cqx_matching.application.deal_views import AuctionView, NegotiationView
from cqx_matching.application.order_views import OrderView, TradeRecord
from cqx_matching.application.publishing import ExecutionReport, MarketSnapshot
from cqx_matching.application.queries import InstrumentStatus, Listing, RiskBalance
from cqx_matching.domain import (
    DepthSnapshot,
    Event,
    MarketDataMessage,
    PriceBand,
    StatisticsSnapshot,
    TradeExecuted,
    TradePrint,
)

_ORDER_STATUS = {name: api.OrderStatus.Value(f"ORDER_STATUS_{name}") for name in (
    "OPEN", "PARTIALLY_FILLED", "FILLED", "CANCELLED", "EXPIRED")}  # fmt: skip
_NEGOTIATION_STATUS = {name: api.NegotiationStatus.Value(f"NEGOTIATION_STATUS_{name}") for name in (
    "OPEN", "AGREED", "WITHDRAWN", "EXPIRED")}  # fmt: skip


def order(view: OrderView) -> api.Order:
    """An order as a client sees it."""
    return api.Order(
        order_id=view.order_id, account_id=view.account, instrument=view.instrument,
        side=ENUM_TO[view.side], trading_mode=ENUM_TO[view.mode],
        order_type=ENUM_TO[view.order_type], time_in_force=ENUM_TO[view.time_in_force],
        post_only=view.post_only, price_fen=view.price, quantity_tonnes=view.quantity,
        filled_tonnes=view.filled, remaining_tonnes=view.remaining,
        status=_ORDER_STATUS[view.status], close_reason=view.close_reason,
        cancelled_tonnes=view.cancelled,
        traded_value_fen=view.traded_value, trading_date=iso(view.trading_date),
        accepted_at_us=view.accepted_at,
    )  # fmt: skip


def fills(events: Iterable[Event], order_id: str) -> list[api.Fill]:
    """The fills of ``order_id`` among a command's events, from its side."""
    out = []
    for e in events:
        if isinstance(e, TradeExecuted) and order_id in (e.buy_order_id, e.sell_order_id):
            fee = e.buyer_fee if e.buy_order_id == order_id else e.seller_fee
            out.append(
                api.Fill(
                    trade_id=trade_id(e.instrument, e.trade_id), price_fen=e.price,
                    quantity_tonnes=e.quantity, fee_fen=fee,
                )
            )  # fmt: skip
    return out


def trade(e: TradeExecuted, trading_date: date | None) -> api.Trade:
    """A trade with its parties."""
    return api.Trade(
        trade_id=trade_id(e.instrument, e.trade_id), instrument=e.instrument,
        trading_mode=ENUM_TO[e.mode], price_fen=e.price, quantity_tonnes=e.quantity,
        buyer_account_id=e.buyer, seller_account_id=e.seller, buy_order_id=e.buy_order_id,
        sell_order_id=e.sell_order_id,
        aggressor=ENUM_TO.get(e.aggressor, 0),
        buyer_fee_fen=e.buyer_fee, seller_fee_fen=e.seller_fee,
        trading_date=iso(trading_date), executed_at_us=e.at,
    )  # fmt: skip


def trade_record(record: TradeRecord) -> api.Trade:
    """A recorded trade."""
    return trade(record.trade, record.trading_date)


def band(b: PriceBand) -> api.PriceBand:
    """A price band."""
    return api.PriceBand(lower_fen=b.lower, upper_fen=b.upper)


def depth(snapshot: DepthSnapshot) -> api.BookDepth:
    """One book's best levels."""
    return api.BookDepth(
        trading_mode=ENUM_TO[snapshot.mode],
        bids=[api.PriceLevel(price_fen=x.price, quantity_tonnes=x.quantity, order_count=x.orders)
              for x in snapshot.bids],
        asks=[api.PriceLevel(price_fen=x.price, quantity_tonnes=x.quantity, order_count=x.orders)
              for x in snapshot.asks],
    )  # fmt: skip


def listing(found: Listing) -> api.Listing:
    """A listing a taker may name."""
    return api.Listing(
        order_id=found.order_id, side=ENUM_TO[found.side], price_fen=found.price,
        quantity_tonnes=found.quantity,
    )  # fmt: skip


def statistics(s: StatisticsSnapshot) -> api.DailyStatistics:
    """The day's figures."""
    return api.DailyStatistics(
        trading_date=iso(s.day), open_fen=s.open or 0, high_fen=s.high or 0, low_fen=s.low or 0,
        close_fen=s.close, volume_tonnes=s.volume, turnover_fen=s.turnover, final=s.final,
    )  # fmt: skip


def risk_balance(balance: RiskBalance) -> api.GetRiskBalanceResponse:
    """What an account may spend and sell."""
    return api.GetRiskBalanceResponse(
        account_id=balance.account, free_cash_fen=balance.free_cash,
        reserved_cash_fen=balance.reserved_cash,
        allowances=[
            api.AllowanceBalance(
                instrument=a.instrument, free_tonnes=a.free, reserved_tonnes=a.reserved,
                pending_tonnes=a.pending,
            )
            for a in balance.allowances
        ],
    )  # fmt: skip


def instrument(status: InstrumentStatus) -> api.GetInstrumentResponse:
    """How an instrument trades today."""
    c = status.config
    return api.GetInstrumentResponse(
        instrument=c.instrument,
        day_status=(
            api.DAY_STATUS_OPEN if status.open
            else api.DAY_STATUS_CLOSED if status.closed
            else api.DAY_STATUS_NOT_OPEN
        ),
        trading_date=iso(status.trading_date), reference_price_fen=status.reference,
        listed_band=band(status.listed_band), block_band=band(status.block_band),
        fee_bps=c.fee_bps, tick_fen=c.tick, modes=[ENUM_TO[m] for m in sorted(c.modes)],
        statistics=statistics(status.statistics),
    )  # fmt: skip


def negotiation(view: NegotiationView) -> api.BlockNegotiation:
    """A block negotiation."""
    return api.BlockNegotiation(
        negotiation_id=view.negotiation_id, instrument=view.instrument,
        proposer_account_id=view.proposer, counterparty_account_id=view.counterparty or "",
        proposer_side=ENUM_TO[view.proposer_side], price_fen=view.price,
        quantity_tonnes=view.quantity, confirmed_by_account_id=view.confirmed_by,
        status=_NEGOTIATION_STATUS[view.status],
        trade_id=trade_id(view.instrument, view.trade_id) if view.trade_id else "",
        withdrawn_by_account_id=view.withdrawn_by or "",
    )  # fmt: skip


def auction(view: AuctionView) -> api.Auction:
    """A one-way bidding."""
    return api.Auction(
        auction_id=view.auction_id, instrument=view.instrument,
        initiator_account_id=view.initiator, side=ENUM_TO[view.side],
        quantity_tonnes=view.quantity, reserve_price_fen=view.reserve_price,
        window_start_us=view.window_start, window_end_us=view.window_end,
        eligible_account_ids=sorted(view.eligible or ()),
        status=api.AUCTION_STATUS_CLOSED if view.closed else api.AUCTION_STATUS_OPEN,
        bid_count=len(view.bids), filled_tonnes=view.filled,
    )  # fmt: skip


def market_update(item: MarketDataMessage | MarketSnapshot) -> api.MarketDataUpdate:
    """One market data message."""
    update = api.MarketDataUpdate(instrument=item.instrument, sequence=item.sequence)
    if isinstance(item, MarketSnapshot):
        continuous, listed, stats = item.payloads
        assert isinstance(continuous, DepthSnapshot)
        assert isinstance(listed, DepthSnapshot)
        assert isinstance(stats, StatisticsSnapshot)
        update.snapshot.CopyFrom(
            api.MarketSnapshot(
                continuous=depth(continuous), listed=depth(listed), statistics=statistics(stats)
            )
        )
        return update
    payload = item.payload
    if isinstance(payload, DepthSnapshot):
        update.depth.CopyFrom(depth(payload))
    elif isinstance(payload, TradePrint):
        update.trade.CopyFrom(_print(item.instrument, payload))
    else:
        update.statistics.CopyFrom(statistics(payload))
    return update


def _print(instrument: str, p: TradePrint) -> api.TradePrint:
    return api.TradePrint(
        trade_id=trade_id(instrument, p.trade_id), trading_mode=ENUM_TO[p.mode],
        price_fen=p.price, quantity_tonnes=p.quantity,
        aggressor=ENUM_TO.get(p.aggressor, 0),
        executed_at_us=p.at,
    )  # fmt: skip


def execution(report: ExecutionReport) -> api.Execution:
    """One fill of an account."""
    e = report.trade
    return api.Execution(
        trade_id=trade_id(e.instrument, e.trade_id), order_id=report.order_id,
        account_id=report.account, instrument=e.instrument, side=ENUM_TO[report.side],
        trading_mode=ENUM_TO[e.mode], price_fen=e.price, quantity_tonnes=e.quantity,
        fee_fen=report.fee, trading_date=iso(report.trading_date), executed_at_us=e.at,
    )  # fmt: skip
