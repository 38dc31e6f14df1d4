"""Block agreement (大宗协议, R-T3): two named parties confirm the same price and quantity.

A party quotes (to a named counterparty, or openly to anyone); the other party counters or
accepts; either may counter again. Whoever states terms confirms them, so a deal exists the
moment the other party accepts exactly those terms (the acceptance repeats the price and
quantity it confirms, so it can never accept terms it has not seen). Either party may
withdraw before that; at the day's close open negotiations expire. An open quote acquires
its counterparty with the first counter or acceptance.

Checks of the instrument's rules (session, band, minimum quantity, funds) are the
exchange's; this desk checks the negotiation itself. Decide/evolve: the methods read and
return events; ``evolve`` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cqx_matching.domain.commands import (
    AcceptBlockTrade,
    CounterBlockTrade,
    ProposeBlockTrade,
    WithdrawBlockTrade,
)
from cqx_matching.domain.deal_events import (
    BlockTradeAgreed,
    BlockTradeCountered,
    BlockTradeExpired,
    BlockTradeProposed,
    BlockTradeWithdrawn,
)
from cqx_matching.domain.events import (
    Event,
    TradeExecuted,
)
from cqx_matching.domain.instruments import fee
from cqx_matching.domain.vocabulary import Reason, Side, TradingMode

NegotiationCommand = CounterBlockTrade | AcceptBlockTrade | WithdrawBlockTrade


@dataclass(slots=True)
class BlockNegotiation:
    """One open negotiation: its parties and the terms last confirmed (by ``confirmed_by``)."""

    negotiation_id: str
    proposer: str
    counterparty: str | None
    proposer_side: Side
    price: int
    quantity: int
    confirmed_by: str

    def is_party(self, account: str) -> bool:
        """Whether ``account`` may act on this negotiation (anyone but the proposer may
        answer an open quote)."""
        return account == self.proposer or self.counterparty in (None, account)

    def side_of(self, account: str) -> Side:
        """Which side ``account`` takes in the deal."""
        return self.proposer_side if account == self.proposer else self.proposer_side.opposite


class BlockDesk:
    """One instrument's block negotiations."""

    def __init__(self, instrument: str) -> None:
        self.instrument = instrument
        self.open: dict[str, BlockNegotiation] = {}
        self.closed: set[str] = set()  # today's agreed, withdrawn or expired negotiations

    def negotiation(self, c: NegotiationCommand) -> BlockNegotiation | str:
        """The open negotiation ``c`` acts on, or the reason it may not."""
        found = self.open.get(c.negotiation_id)
        if found is None:
            return Reason.NEGOTIATION_NOT_FOUND
        if not found.is_party(c.account):
            return Reason.NOT_A_PARTY
        return found

    def propose(self, c: ProposeBlockTrade) -> list[Event] | str:
        """A quote, or the reason it is refused."""
        if c.negotiation_id in self.open or c.negotiation_id in self.closed:
            return Reason.DUPLICATE_ID
        if c.counterparty == c.account:
            return Reason.COUNTERPARTY_IS_SELF
        return [
            BlockTradeProposed(
                c.instrument, c.negotiation_id, c.account, c.counterparty, c.side, c.price,
                c.quantity, c.at,
            )
        ]  # fmt: skip

    def counter(self, c: CounterBlockTrade) -> list[Event]:
        """New terms from either party (checked by :meth:`negotiation` first)."""
        return [
            BlockTradeCountered(
                c.instrument, c.negotiation_id, c.account, c.price, c.quantity, c.at
            )
        ]

    def accept(self, c: AcceptBlockTrade, fee_bps: int, trade_id: int) -> list[Event] | str:
        """The deal and its trade, or the reason the acceptance is refused."""
        found = self.negotiation(c)
        if isinstance(found, str):
            return found
        if found.confirmed_by == c.account:
            return Reason.OWN_TERMS
        if (c.price, c.quantity) != (found.price, found.quantity):
            return Reason.TERMS_MISMATCH
        buyer, seller = (
            (c.account, found.confirmed_by)
            if found.side_of(c.account) is Side.BUY
            else (found.confirmed_by, c.account)
        )
        charge = fee(c.price * c.quantity, fee_bps)
        nid = c.negotiation_id
        return [
            BlockTradeAgreed(c.instrument, nid, c.account, c.price, c.quantity, c.at),
            TradeExecuted(
                c.instrument, trade_id, TradingMode.BLOCK, c.price, c.quantity, nid, buyer, nid,
                seller, None, charge, charge, c.at,
            ),
        ]  # fmt: skip

    def withdraw(self, c: WithdrawBlockTrade) -> list[Event]:
        """A party leaves (checked by :meth:`negotiation` first)."""
        return [BlockTradeWithdrawn(c.instrument, c.negotiation_id, c.account, c.at)]

    def expire_all(self, at: int) -> list[Event]:
        """The day's close: every open negotiation expires."""
        return [BlockTradeExpired(self.instrument, nid, at) for nid in self.open]

    def evolve(self, event: Event) -> None:
        """Apply a block event."""
        if isinstance(event, BlockTradeProposed):
            self.open[event.negotiation_id] = BlockNegotiation(
                event.negotiation_id, event.account, event.counterparty, event.side,
                event.price, event.quantity, event.account,
            )  # fmt: skip
        elif isinstance(event, BlockTradeCountered):
            found = self.open[event.negotiation_id]
            if found.counterparty is None and event.account != found.proposer:
                found.counterparty = event.account
            found.price, found.quantity = event.price, event.quantity
            found.confirmed_by = event.account
        elif isinstance(event, BlockTradeAgreed | BlockTradeWithdrawn | BlockTradeExpired):
            del self.open[event.negotiation_id]
            self.closed.add(event.negotiation_id)

    def forget_day(self) -> None:
        """After the close: the day's negotiation ids may be used again."""
        self.closed.clear()

    def snapshot(self) -> tuple[object, ...]:
        """The desk as plain values."""
        return (sorted((k, repr(v)) for k, v in self.open.items()), sorted(self.closed))
