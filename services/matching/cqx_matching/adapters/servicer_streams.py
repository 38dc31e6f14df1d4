"""The servicer's server streams: market data of an instrument, executions of an account."""

from __future__ import annotations

from collections.abc import AsyncIterator

from cqx.matching.v1 import matching_service_pb2 as api

from cqx_matching.adapters import messages
from cqx_matching.adapters.servicer_base import Context, ServicerBase
from cqx_matching.application import queries
from cqx_matching.application import validation as valid
from cqx_matching.application.publishing import ExecutionReport


class StreamServicer(ServicerBase):
    """Live, committed-only streams fed by the application's live feed."""

    async def StreamMarketData(  # noqa: N802 (gRPC's method names)
        self, request: api.StreamMarketDataRequest, context: Context
    ) -> AsyncIterator[api.MarketDataUpdate]:
        """A snapshot, then depth, trades and statistics with increasing sequence numbers."""
        instrument = valid.instrument(request.instrument)
        queries.market(self._app.exchange, instrument)  # NOT_FOUND before anything streams
        feed = self._app.feed
        subscription = feed.subscribe_market(self._app.exchange, instrument)
        try:
            while True:
                item = await subscription.next()
                assert not isinstance(item, ExecutionReport)
                yield messages.market_update(item)
        finally:
            feed.unsubscribe(subscription)

    async def StreamExecutions(  # noqa: N802
        self, request: api.StreamExecutionsRequest, context: Context
    ) -> AsyncIterator[api.Execution]:
        """The account's fills, from now on, as they are committed."""
        account = valid.account_id(request.account_id)
        feed = self._app.feed
        subscription = feed.subscribe_executions(account)
        try:
            while True:
                item = await subscription.next()
                assert isinstance(item, ExecutionReport)
                yield messages.execution(item)
        finally:
            feed.unsubscribe(subscription)
