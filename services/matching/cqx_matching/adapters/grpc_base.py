"""What every part of the exchange's servicer shares: the application and the call's ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cqx_grpc import current_call
from cqx_matching.adapters.requests import Make
from cqx_matching.application.errors import invalid
from cqx_matching.application.exchange_app import MatchingApplication, Subject
from cqx_matching.domain import Command, Event

Context = Any  # grpc.aio.ServicerContext (grpc ships no type hints)
Answer = Callable[[Sequence[Event]], bytes]
CallIds = tuple[str, dict[str, str]]  # the request id, and the metadata of its events


class ServicerBase:
    """Holds the application; runs commands with the call's request id and metadata."""

    def __init__(self, app: MatchingApplication) -> None:
        self._app = app

    @staticmethod
    def _call(request_id: str) -> CallIds:
        """The request id (the field, else the call's header) and the events' metadata."""
        call = current_call()
        request_id = request_id or call.request_id or ""
        if not request_id:
            raise invalid("request_id is required", "REQUEST_ID_MISSING")
        return request_id, {**call.as_event_metadata(), "request_id": request_id}

    async def _trade(self, ids: CallIds, make: Make, answer: Answer) -> bytes:
        """Run an order, deal or bidding command; the recorded response bytes."""
        request_id, metadata = ids
        return await self._app.trade(request_id, metadata, make, answer)

    async def _trade_on(
        self,
        ids: CallIds,
        subject: Subject,
        subject_id: str,
        make: Callable[[str, int], Command],
        answer: Answer,
    ) -> bytes:
        """Run a command on an order, negotiation or auction (made from its instrument and
        the time); the recorded response bytes."""
        request_id, metadata = ids
        return await self._app.trade_on(request_id, metadata, subject, subject_id, make, answer)
