"""What every part of the exchange's servicer shares: the application and the call's ids
(read once, in :func:`cqx_service.servicer.call_ids`, as in the other three services)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from google.protobuf.message import Message

from cqx_matching.adapters.requests import Make
from cqx_matching.application.app import MatchingApplication, Subject
from cqx_matching.domain import Command, Event
from cqx_service.application import CallIds
from cqx_service.servicer import call_ids

Context = Any  # grpc.aio.ServicerContext (grpc ships no type hints)
Answer = Callable[[Sequence[Event]], bytes]


class ServicerBase:
    """Holds the application; runs commands with the call's ids."""

    def __init__(self, app: MatchingApplication) -> None:
        self._app = app

    @staticmethod
    def _call(request: Message) -> CallIds:
        """The request id (the field, else the call's header), the events' metadata and the
        request's fingerprint."""
        return call_ids(request)

    async def _trade(self, ids: CallIds, make: Make, answer: Answer) -> bytes:
        """Run an order, deal or bidding command; the recorded response bytes."""
        return await self._app.trade(ids, make, answer)

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
        return await self._app.trade_on(ids, subject, subject_id, make, answer)
