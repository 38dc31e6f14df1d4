"""What the registry does with other contexts' events. These never raise: what cannot be
applied is recorded as a rejection (or, for an answer to a move it never asked for, ignored).
"""

from __future__ import annotations

from cqx_registry.domain import commands as cmd
from cqx_registry.domain import events as ev
from cqx_registry.domain.events import DeliveryLeg
from cqx_registry.domain.instruments import is_instrument
from cqx_registry.domain.state import Registry


def issue(state: Registry, c: cmd.IssueAllowances) -> tuple[ev.Event, ...]:
    """Credit an issuance to the account's registry position, or record why it cannot be."""
    reason = _issuance_problem(state, c)
    if reason:
        return (
            ev.IssuanceRejected(
                c.issuance_id, c.account_id, reason, c.instrument, c.quantity, c.source_event_id
            ),
        )
    return (
        ev.AllowancesIssued(
            c.account_id, c.instrument, c.quantity, c.issuance_id, c.source_event_id
        ),
    )


def _issuance_problem(state: Registry, c: cmd.IssueAllowances) -> str:
    if not c.issuance_id:
        return "ISSUANCE_ID_MISSING"
    if c.issuance_id in state.issuances:
        return "ISSUANCE_DUPLICATE"
    if c.account_id not in state.accounts:
        return "ACCOUNT_NOT_FOUND"
    if not is_instrument(c.instrument):
        return "INSTRUMENT_UNKNOWN"
    if c.quantity <= 0:
        return "QUANTITY_NOT_POSITIVE"
    return ""


def approve(state: Registry, c: cmd.ApproveWithdrawal) -> tuple[ev.Event, ...]:
    """Complete a pending move out of trading (our record of it decides what moves)."""
    move = state.pending_moves.get(c.move_id)
    if move is None:  # not ours, or answered already
        return ()
    parts = (c.move_id, move.account_id, move.instrument, move.quantity)
    if state.holding(move.account_id, move.instrument).trading < move.quantity:
        # Deliveries took what the exchange released: the ledgers disagree; say so.
        return (ev.MoveFromTradingRefused(*parts, "TRADING_POSITION_SHORT"),)
    return (ev.MovedFromTrading(*parts),)


def refuse(state: Registry, c: cmd.RefuseWithdrawal) -> tuple[ev.Event, ...]:
    """Release a pending move out of trading: the quantity stays in trading."""
    move = state.pending_moves.get(c.move_id)
    if move is None:
        return ()
    reason = c.reason or "REFUSED_BY_EXCHANGE"
    return (
        ev.MoveFromTradingRefused(
            c.move_id, move.account_id, move.instrument, move.quantity, reason
        ),
    )


def deliver(state: Registry, c: cmd.DeliverTrade) -> tuple[ev.Event, ...]:
    """Apply a settled trade's allowance leg to both trading positions, or record why not."""
    reason = _delivery_problem(state, c)
    parts = (c.trade_id, c.seller_account_id, c.buyer_account_id, c.instrument, c.quantity)
    if reason:
        return (ev.TradeDeliveryRejected(*parts, reason, c.source_event_id),)
    if c.seller_account_id == c.buyer_account_id:
        return (ev.TradeDeliveryApplied(*parts, c.source_event_id, DeliveryLeg.BOTH),)
    return (
        ev.TradeDeliveryApplied(*parts, c.source_event_id, DeliveryLeg.SELLER),
        ev.TradeDeliveryApplied(*parts, c.source_event_id, DeliveryLeg.BUYER),
    )


def _delivery_problem(state: Registry, c: cmd.DeliverTrade) -> str:
    if not c.trade_id:
        return "TRADE_ID_MISSING"
    if c.trade_id in state.delivered_trades:
        return "TRADE_ALREADY_DELIVERED"
    if c.seller_account_id not in state.accounts or c.buyer_account_id not in state.accounts:
        return "ACCOUNT_NOT_FOUND"
    if not is_instrument(c.instrument):
        return "INSTRUMENT_UNKNOWN"
    if c.quantity <= 0:
        return "QUANTITY_NOT_POSITIVE"
    if state.holding(c.seller_account_id, c.instrument).trading < c.quantity:
        return "INSUFFICIENT_TRADING_POSITION"
    return ""
