"""The block agreement (R-T3) and one-way bidding (R-T11) requests of the servicer."""

from __future__ import annotations

from collections.abc import Sequence

from cqx.matching.v1 import matching_service_pb2 as api

from cqx_matching.adapters import messages, requests
from cqx_matching.adapters.servicer_base import Answer, Context, ServicerBase
from cqx_matching.application import queries
from cqx_matching.application import validation as valid
from cqx_matching.application.app import Subject
from cqx_matching.domain import (
    AcceptBlockTrade,
    CloseBidding,
    CounterBlockTrade,
    Event,
    SubmitBid,
    TradeExecuted,
    WithdrawBlockTrade,
)


class DealServicer(ServicerBase):
    """Negotiations and auctions: quotes, counters, acceptances, bids, closes."""

    def _negotiation_answer(self, negotiation_id: str, with_trade: bool = False) -> Answer:
        deals = self._app.deals

        def answer(events: Sequence[Event]) -> bytes:
            view = messages.negotiation(deals.negotiations[negotiation_id])
            traded = [messages.trade(e, self._app.orders.day) for e in _trades(events)]
            reply = api.AcceptBlockTradeResponse(negotiation=view)
            if with_trade and traded:
                reply.trade.CopyFrom(traded[0])
            return reply.SerializeToString()  # every negotiation response: negotiation = 1

        return answer

    def _terms(
        self, request: api.CounterBlockTradeRequest | api.AcceptBlockTradeRequest
    ) -> tuple[str, str, int, int]:
        """A counter's or an acceptance's account, negotiation, price and quantity."""
        account = valid.account_id(request.account_id)
        nid = valid.identifier(request.negotiation_id, "negotiation_id")
        price = valid.positive_price(request.price_fen)
        quantity = valid.positive_quantity(request.quantity_tonnes)
        return account, nid, price, quantity

    async def ProposeBlockTrade(  # noqa: N802 (gRPC's method names)
        self, request: api.ProposeBlockTradeRequest, context: Context
    ) -> api.ProposeBlockTradeResponse:
        """Quote a block deal (≥ 100,000 t, ±30%, 13:00-15:00)."""
        ids = self._call(request)
        nid = self._app.new_id()
        make = requests.propose_block_trade(request, nid)
        raw = await self._trade(ids, make, self._negotiation_answer(nid))
        return api.ProposeBlockTradeResponse.FromString(raw)

    async def CounterBlockTrade(  # noqa: N802
        self, request: api.CounterBlockTradeRequest, context: Context
    ) -> api.CounterBlockTradeResponse:
        """Answer with new terms, which the counterer confirms."""
        ids = self._call(request)
        account, nid, price, quantity = self._terms(request)
        raw = await self._trade_on(
            ids, Subject.NEGOTIATION, nid,
            lambda instrument, at: CounterBlockTrade(instrument, nid, account, price, quantity, at),
            self._negotiation_answer(nid),
        )  # fmt: skip
        return api.CounterBlockTradeResponse.FromString(raw)

    async def AcceptBlockTrade(  # noqa: N802
        self, request: api.AcceptBlockTradeRequest, context: Context
    ) -> api.AcceptBlockTradeResponse:
        """Confirm the other party's terms: the deal and its trade."""
        ids = self._call(request)
        account, nid, price, quantity = self._terms(request)
        raw = await self._trade_on(
            ids, Subject.NEGOTIATION, nid,
            lambda instrument, at: AcceptBlockTrade(instrument, nid, account, price, quantity, at),
            self._negotiation_answer(nid, with_trade=True),
        )  # fmt: skip
        return api.AcceptBlockTradeResponse.FromString(raw)

    async def WithdrawBlockTrade(  # noqa: N802
        self, request: api.WithdrawBlockTradeRequest, context: Context
    ) -> api.WithdrawBlockTradeResponse:
        """Leave a negotiation before the deal."""
        ids = self._call(request)
        account = valid.account_id(request.account_id)
        nid = valid.identifier(request.negotiation_id, "negotiation_id")
        raw = await self._trade_on(
            ids, Subject.NEGOTIATION, nid,
            lambda instrument, at: WithdrawBlockTrade(instrument, nid, account, at),
            self._negotiation_answer(nid),
        )  # fmt: skip
        return api.WithdrawBlockTradeResponse.FromString(raw)

    async def GetBlockNegotiation(  # noqa: N802
        self, request: api.GetBlockNegotiationRequest, context: Context
    ) -> api.GetBlockNegotiationResponse:
        """A negotiation by id."""
        nid = valid.identifier(request.negotiation_id, "negotiation_id")
        view = queries.negotiation(self._app.deals, nid)
        return api.GetBlockNegotiationResponse(negotiation=messages.negotiation(view))

    async def AnnounceBidding(  # noqa: N802
        self, request: api.AnnounceBiddingRequest, context: Context
    ) -> api.AnnounceBiddingResponse:
        """Announce a one-way bidding; the initiator's side is reserved."""
        ids = self._call(request)
        auction_id = self._app.new_id()
        make = requests.announce_bidding(request, auction_id)
        raw = await self._trade(ids, make, self._auction_answer(auction_id))
        return api.AnnounceBiddingResponse.FromString(raw)

    async def SubmitBid(  # noqa: N802
        self, request: api.SubmitBidRequest, context: Context
    ) -> api.SubmitBidResponse:
        """A sealed bid; it reserves what it would cost."""
        ids = self._call(request)
        account = valid.account_id(request.account_id)
        auction_id = valid.identifier(request.auction_id, "auction_id")
        price = valid.positive_price(request.price_fen)
        quantity = valid.positive_quantity(request.quantity_tonnes)
        bid_id = self._app.new_id()

        def answer(_: Sequence[Event]) -> bytes:
            return api.SubmitBidResponse(
                bid_id=bid_id, auction_id=auction_id, price_fen=price, quantity_tonnes=quantity
            ).SerializeToString()

        raw = await self._trade_on(
            ids, Subject.AUCTION, auction_id,
            lambda instrument, at: SubmitBid(
                instrument, auction_id, bid_id, account, price, quantity, at
            ),
            answer,
        )  # fmt: skip
        return api.SubmitBidResponse.FromString(raw)

    async def CloseBidding(  # noqa: N802
        self, request: api.CloseBiddingRequest, context: Context
    ) -> api.CloseBiddingResponse:
        """Allocate an auction whose window is over: bids fill by price, then time."""
        ids = self._call(request)
        auction_id = valid.identifier(request.auction_id, "auction_id")
        raw = await self._trade_on(
            ids, Subject.AUCTION, auction_id,
            lambda instrument, at: CloseBidding(instrument, auction_id, at),
            self._auction_answer(auction_id),
        )  # fmt: skip
        return api.CloseBiddingResponse.FromString(raw)

    async def GetAuction(  # noqa: N802
        self, request: api.GetAuctionRequest, context: Context
    ) -> api.GetAuctionResponse:
        """An auction by id."""
        auction_id = valid.identifier(request.auction_id, "auction_id")
        return api.GetAuctionResponse(
            auction=messages.auction(queries.auction(self._app.deals, auction_id))
        )

    def _auction_answer(self, auction_id: str) -> Answer:
        app = self._app

        def answer(events: Sequence[Event]) -> bytes:
            view = messages.auction(app.deals.auctions[auction_id])
            traded = [messages.trade(e, app.orders.day) for e in _trades(events)]
            # every auction response: auction = 1 (and the close's trades = 2)
            return api.CloseBiddingResponse(auction=view, trades=traded).SerializeToString()

        return answer


def _trades(events: Sequence[Event]) -> list[TradeExecuted]:
    return [e for e in events if isinstance(e, TradeExecuted)]
