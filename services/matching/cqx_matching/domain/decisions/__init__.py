"""decide(exchange, command): one function per command.

A decision records the events of an accepted command on the exchange (each is applied as it
is recorded) or returns the reason it is rejected; :func:`rejection` turns that reason into
the event that audits it (``OrderRejected`` for orders, ``CommandRejected`` otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cqx_matching.domain.commands import (
    AcceptBlockTrade,
    AnnounceBidding,
    AssignAllowances,
    CancelOrder,
    CloseBidding,
    CloseTradingDay,
    Command,
    CounterBlockTrade,
    DepositFunds,
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
from cqx_matching.domain.decisions import accounts, bidding, block, orders, trading_day
from cqx_matching.domain.events import CommandRejected, Event, OrderRejected

if TYPE_CHECKING:
    from cqx_matching.domain.exchange import Exchange

DECIDERS: dict[type[Any], Callable[[Exchange, Any], str | None]] = {
    DepositFunds: accounts.deposit_funds,
    WithdrawFunds: accounts.withdraw_funds,
    AssignAllowances: accounts.assign_allowances,
    WithdrawAllowances: accounts.withdraw_allowances,
    OpenTradingDay: trading_day.open_trading_day,
    CloseTradingDay: trading_day.close_trading_day,
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
SUBJECTS = ("bid_id", "negotiation_id", "auction_id", "account")


def rejection(command: Command, reason: str) -> Event:
    """The event that records ``command``'s rejection for ``reason``."""
    name, at = type(command).__name__, command.at
    if isinstance(command, ORDER_COMMANDS):
        return OrderRejected(
            command.instrument, command.order_id, command.account, name, reason, at
        )
    if isinstance(command, OpenTradingDay):
        subject = command.day.isoformat()
    else:
        subject = next((str(getattr(command, a)) for a in SUBJECTS if hasattr(command, a)), "")
    instrument = getattr(command, "instrument", None)
    account = getattr(command, "account", None)
    return CommandRejected(instrument, name, subject, account, reason, at)
