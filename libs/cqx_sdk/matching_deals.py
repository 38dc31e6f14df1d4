"""Block agreement deals (R-T3) and one-way biddings (R-T11) at the exchange: the methods
:class:`~cqx_sdk.matching.MatchingClient` offers beside orders (``client.matching``)."""

from __future__ import annotations

from collections.abc import Sequence

from cqx.matching.v1 import matching_service_pb2 as api
from cqx.matching.v1 import matching_service_pb2_grpc as api_grpc

from cqx_sdk.channels import ServiceChannel
from cqx_sdk.deal_views import Auction, AuctionResult, Bid, BlockDeal, BlockNegotiation
from cqx_sdk.matching_views import Side, Trade


class DealDesk:
    """Negotiated and auctioned deals; prices in fen per tonne, quantities in tonnes."""

    _channel: ServiceChannel
    _stub: api_grpc.MatchingServiceStub

    async def propose_block_trade(
        self,
        account_id: str,
        instrument: str,
        side: Side,
        price_fen: int,
        quantity: int,
        *,
        counterparty: str = "",
        request_id: str | None = None,
    ) -> BlockNegotiation:
        """Block agreement (R-T3): quote ``quantity`` (at least 100,000 t) at ``price_fen``
        (within ±30% of the previous close), 13:00–15:00, to a named counterparty or, without
        one, to anyone. The proposer has confirmed these terms."""
        reply: api.ProposeBlockTradeResponse = await self._channel.mutate(
            self._stub.ProposeBlockTrade,
            api.ProposeBlockTradeRequest,
            request_id,
            account_id=account_id,
            instrument=instrument,
            side=side.to_proto(),
            price_fen=price_fen,
            quantity_tonnes=quantity,
            counterparty_account_id=counterparty,
        )
        return BlockNegotiation.from_proto(reply.negotiation)

    async def counter_block_trade(
        self,
        account_id: str,
        negotiation_id: str,
        price_fen: int,
        quantity: int,
        *,
        request_id: str | None = None,
    ) -> BlockNegotiation:
        """Answer a block quote with other terms (which the answering party confirms)."""
        reply: api.CounterBlockTradeResponse = await self._channel.mutate(
            self._stub.CounterBlockTrade,
            api.CounterBlockTradeRequest,
            request_id,
            **_terms(account_id, negotiation_id, price_fen, quantity),
        )
        return BlockNegotiation.from_proto(reply.negotiation)

    async def accept_block_trade(
        self,
        account_id: str,
        negotiation_id: str,
        price_fen: int,
        quantity: int,
        *,
        request_id: str | None = None,
    ) -> BlockDeal:
        """Accept the terms the other party confirmed, repeating them (terms that changed
        meanwhile are refused with TERMS_MISMATCH): the deal and its trade."""
        reply: api.AcceptBlockTradeResponse = await self._channel.mutate(
            self._stub.AcceptBlockTrade,
            api.AcceptBlockTradeRequest,
            request_id,
            **_terms(account_id, negotiation_id, price_fen, quantity),
        )
        negotiation = BlockNegotiation.from_proto(reply.negotiation)
        return BlockDeal(negotiation, Trade.from_proto(reply.trade))

    async def withdraw_block_trade(
        self, account_id: str, negotiation_id: str, *, request_id: str | None = None
    ) -> BlockNegotiation:
        """Withdraw from a negotiation before it is agreed (either party)."""
        reply: api.WithdrawBlockTradeResponse = await self._channel.mutate(
            self._stub.WithdrawBlockTrade,
            api.WithdrawBlockTradeRequest,
            request_id,
            account_id=account_id,
            negotiation_id=negotiation_id,
        )
        return BlockNegotiation.from_proto(reply.negotiation)

    async def block_negotiation(self, negotiation_id: str) -> BlockNegotiation:
        """One block negotiation."""
        request = api.GetBlockNegotiationRequest(negotiation_id=negotiation_id)
        reply: api.GetBlockNegotiationResponse = await self._channel.call(
            self._stub.GetBlockNegotiation, request
        )
        return BlockNegotiation.from_proto(reply.negotiation)

    async def announce_bidding(
        self,
        account_id: str,
        instrument: str,
        side: Side,
        quantity: int,
        reserve_price_fen: int,
        window_start_us: int,
        window_end_us: int,
        *,
        eligible: Sequence[str] = (),
        request_id: str | None = None,
    ) -> Auction:
        """One-way bidding (R-T11): offer to sell (or buy) ``quantity`` at the reserve price
        or better to sealed bids in [start, end) (inside one session of today), from
        ``eligible`` accounts (none named: anyone). What is offered is reserved at once."""
        reply: api.AnnounceBiddingResponse = await self._channel.mutate(
            self._stub.AnnounceBidding,
            api.AnnounceBiddingRequest,
            request_id,
            account_id=account_id,
            instrument=instrument,
            side=side.to_proto(),
            quantity_tonnes=quantity,
            reserve_price_fen=reserve_price_fen,
            window_start_us=window_start_us,
            window_end_us=window_end_us,
            eligible_account_ids=list(eligible),
        )
        return Auction.from_proto(reply.auction)

    async def submit_bid(
        self,
        account_id: str,
        auction_id: str,
        price_fen: int,
        quantity: int,
        *,
        request_id: str | None = None,
    ) -> Bid:
        """A sealed bid during the window (its money, or tonnes, reserved until the close)."""
        reply: api.SubmitBidResponse = await self._channel.mutate(
            self._stub.SubmitBid,
            api.SubmitBidRequest,
            request_id,
            account_id=account_id,
            auction_id=auction_id,
            price_fen=price_fen,
            quantity_tonnes=quantity,
        )
        return Bid(reply.bid_id, reply.auction_id, reply.price_fen, reply.quantity_tonnes)

    async def close_bidding(
        self, auction_id: str, *, request_id: str | None = None
    ) -> AuctionResult:
        """Once the window is over: fill bids by price, then time (a part at the margin),
        release the rest; the closed auction and its trades."""
        reply: api.CloseBiddingResponse = await self._channel.mutate(
            self._stub.CloseBidding, api.CloseBiddingRequest, request_id, auction_id=auction_id
        )
        trades = tuple(Trade.from_proto(t) for t in reply.trades)
        return AuctionResult(Auction.from_proto(reply.auction), trades)

    async def auction(self, auction_id: str) -> Auction:
        """One one-way bidding."""
        request = api.GetAuctionRequest(auction_id=auction_id)
        reply: api.GetAuctionResponse = await self._channel.call(self._stub.GetAuction, request)
        return Auction.from_proto(reply.auction)


def _terms(
    account_id: str, negotiation_id: str, price_fen: int, quantity: int
) -> dict[str, object]:
    """The fields of a counter or an acceptance: who, which negotiation, which terms."""
    return {
        "account_id": account_id,
        "negotiation_id": negotiation_id,
        "price_fen": price_fen,
        "quantity_tonnes": quantity,
    }
