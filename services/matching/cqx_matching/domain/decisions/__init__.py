"""decide(exchange, command): every rule that can refuse a command, one function per command.

A decision records the events of an accepted command on the exchange (each is applied as it
is recorded) or returns the reason it is rejected; :func:`rejection` turns that reason into
the event that audits it (``OrderRejected`` for orders, ``CommandRejected`` otherwise).
Trading commands pass :mod:`.admission` first (ownership before anything else).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cqx_matching.domain.commands import (
    AcceptBlockTrade,
    AnnounceBidding,
    AssignAllowances,
    CancelOrder,
    CloseBidding,
    CloseInstrumentDay,
    CloseTradingDay,
    Command,
    CounterBlockTrade,
    DepositFunds,
    OpenInstrumentDay,
    OpenTradingDay,
    PlaceOrder,
    PostListing,
    ProposeBlockTrade,
    ReduceOrder,
    ReplaceOrder,
    SubmitBid,
    TakeListing,
    WithdrawAllowances,
    WithdrawBlockTrade,
    WithdrawFunds,
)
from cqx_matching.domain.decisions import (
    accounts,
    bidding,
    block,
    instrument_days,
    orders,
    restrictions,
    trading_day,
)
from cqx_matching.domain.decisions.admission import admission_problem
from cqx_matching.domain.errors import UnknownCommandError
from cqx_matching.domain.events import CommandRejected, Event, OrderRejected
from cqx_matching.domain.restrictions import ReinstateTrading, RestrictTrading
from cqx_matching.domain.state import ExchangeState

DECIDERS: dict[type[Any], Callable[[ExchangeState, Any], str | None]] = {
    DepositFunds: accounts.deposit_funds,
    WithdrawFunds: accounts.withdraw_funds,
    AssignAllowances: accounts.assign_allowances,
    WithdrawAllowances: accounts.withdraw_allowances,
    RestrictTrading: restrictions.restrict_trading,
    ReinstateTrading: restrictions.reinstate_trading,
    OpenTradingDay: trading_day.open_trading_day,
    CloseTradingDay: trading_day.close_trading_day,
    OpenInstrumentDay: instrument_days.open_instrument_day,
    CloseInstrumentDay: instrument_days.close_instrument_day,
    PlaceOrder: orders.place_order,
    PostListing: orders.post_listing,
    TakeListing: orders.take_listing,
    CancelOrder: orders.cancel_order,
    ReduceOrder: orders.reduce_order,
    ReplaceOrder: orders.replace_order,
    ProposeBlockTrade: block.propose_block_trade,
    CounterBlockTrade: block.counter_block_trade,
    AcceptBlockTrade: block.accept_block_trade,
    WithdrawBlockTrade: block.withdraw_block_trade,
    AnnounceBidding: bidding.announce_bidding,
    SubmitBid: bidding.submit_bid,
    CloseBidding: bidding.close_bidding,
}

ORDER_COMMANDS = (PlaceOrder, PostListing, TakeListing, CancelOrder, ReduceOrder, ReplaceOrder)
TRADING_COMMANDS = (
    *ORDER_COMMANDS,
    ProposeBlockTrade,
    CounterBlockTrade,
    AcceptBlockTrade,
    WithdrawBlockTrade,
    AnnounceBidding,
    SubmitBid,
    CloseBidding,
)
SUBJECTS = ("bid_id", "negotiation_id", "auction_id", "account")
# An instrument's day is opened and closed by the operator's OpenTradingDay/CloseTradingDay
# calls: its rejections are recorded under those names.
RECORDED_NAMES = {OpenInstrumentDay: "OpenTradingDay", CloseInstrumentDay: "CloseTradingDay"}


def decide(ex: ExchangeState, command: Command) -> None:
    """Decide ``command`` on ``ex``: its events, or its rejection, are recorded there."""
    decider = DECIDERS.get(type(command))
    if decider is None:
        raise UnknownCommandError(f"not an exchange command: {type(command).__name__}")
    trades = isinstance(command, TRADING_COMMANDS)
    reason = admission_problem(ex, command, trades) or decider(ex, command)
    if reason is not None:
        ex.record([rejection(command, reason)])


def rejection(command: Command, reason: str) -> Event:
    """The event that records ``command``'s rejection for ``reason``."""
    name = RECORDED_NAMES.get(type(command), type(command).__name__)
    at = command.at
    if isinstance(command, ORDER_COMMANDS):
        return OrderRejected(
            command.instrument, command.order_id, command.account, name, reason, at
        )
    if isinstance(command, OpenTradingDay | OpenInstrumentDay):
        subject = command.day.isoformat()
    elif isinstance(command, CloseInstrumentDay):
        subject = command.instrument
    else:
        subject = next((str(getattr(command, a)) for a in SUBJECTS if hasattr(command, a)), "")
    instrument = getattr(command, "instrument", None)
    account = getattr(command, "account", None)
    return CommandRejected(instrument, name, subject, account, reason, at)
