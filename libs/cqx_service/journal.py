"""The single writer of a service: decide against in-memory state, record in order.

A service keeps its aggregates in memory (rebuilt from its own log at start). A command's
``decide`` runs synchronously — it checks the rules against the current state, applies the
resulting events to that state, and returns them — so no two decisions interleave. The events
then go through one :class:`GroupCommitter` in the order they were decided, with the request's
outcome as its idempotency record; the caller is answered after the commit. A retried request
id gets the recorded outcome (AIP-155); a request id in flight waits for the first answer.

If a commit fails, the in-memory state is ahead of the log: the journal stops accepting work
and the runtime exits, so that the next start rebuilds from what was really recorded.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cqx.eventing.v1.outcome_pb2 import RequestError, RequestOutcome

from cqx_eventstore import (
    AppendRequest,
    Duplicate,
    EventStore,
    GroupCommitter,
    IdempotencyRecord,
    Outcome,
    UnitOfWork,
)
from cqx_kernel import errors
from cqx_kernel.errors import (
    AlreadyExistsError,
    CqxError,
    InvalidArgumentError,
    UnavailableError,
)
from cqx_service.metrics import JournalMetrics

_KINDS: dict[str, type[CqxError]] = {
    kind.__name__: kind
    for kind in (
        errors.InvalidArgumentError, errors.NotFoundError, errors.AlreadyExistsError,
        errors.FailedPreconditionError, errors.PermissionDeniedError, errors.ConflictError,
        errors.UnavailableError,
    )
}  # fmt: skip


@dataclass(frozen=True)
class Decision:
    """What a command decided: events to record, and the answer (a response or a refusal).

    A refusal with events (e.g. ``OrderRejected``) is recorded and then raised; a refusal
    without events is raised before anything is recorded.
    """

    requests: Sequence[AppendRequest] = ()
    response: bytes = b""
    error: CqxError | None = None


class RequestIdReusedError(AlreadyExistsError):
    """A request id already answered a different request (another RPC, or other fields)."""

    default_reason = "REQUEST_ID_REUSED"


class JournalStoppedError(UnavailableError):
    """A commit failed; this process no longer accepts work and must restart."""

    default_reason = "SERVICE_RESTARTING"


class Journal:
    """Records decided events in decision order, answering each caller after its commit."""

    def __init__(
        self,
        store: EventStore,
        *,
        max_batch: int = 1000,
        busy_retries: int = 2,
        metrics: JournalMetrics | None = None,
    ) -> None:
        self.store = store
        self._metrics = metrics
        # A batch refused as busy (the head-row lock not granted in time) wrote nothing, so it
        # is committed again, in place, before any later one; only a lock held past all the
        # retries stops the journal (memory is ahead of the log then: a restart rebuilds).
        self._committer = GroupCommitter(store, max_batch=max_batch, busy_retries=busy_retries)
        self._in_flight: dict[str, asyncio.Future[bytes]] = {}
        self._fingerprints: dict[str, str] = {}
        self._lookups = OutcomeLookups(store)
        self.failure: BaseException | None = None
        self.failed = asyncio.Event()

    def start(self) -> None:
        """Start the writer."""
        self._committer.start()

    async def stop(self) -> None:
        """Commit what is queued, then stop."""
        await self._committer.stop()

    async def execute(
        self, request_id: str, decide: Callable[[], Decision], fingerprint: str = ""
    ) -> bytes:
        """Run one client command exactly once per request id; return the response bytes.

        ``fingerprint`` names what was asked (:func:`cqx_service.servicer.fingerprint_of`):
        the same request id with another fingerprint is refused (REQUEST_ID_REUSED)."""
        if not request_id:
            raise InvalidArgumentError("request_id is required", reason="REQUEST_ID_MISSING")
        if request_id in self._in_flight:
            return await self._same_request(request_id, fingerprint)
        recorded = await self._lookups.outcome(request_id)
        if recorded is not None:
            return _answer(recorded, request_id, fingerprint)
        if request_id in self._in_flight:  # arrived while we looked it up
            return await self._same_request(request_id, fingerprint)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._in_flight[request_id] = future
        self._fingerprints[request_id] = fingerprint
        try:
            response = await self._decide_and_record(request_id, decide, fingerprint)
            future.set_result(response)
            return response
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # mark retrieved: other waiters re-raise it themselves
            raise
        finally:
            del self._in_flight[request_id]
            del self._fingerprints[request_id]

    async def answered(self, request_id: str, fingerprint: str = "") -> bytes | None:
        """The answer already given to ``request_id`` (waiting for it if it is being decided
        now), or None if it was never asked; a recorded refusal is raised again."""
        if request_id in self._in_flight:
            return await self._same_request(request_id, fingerprint)
        recorded = await self._lookups.outcome(request_id)
        return None if recorded is None else _answer(recorded, request_id, fingerprint)

    async def _same_request(self, request_id: str, fingerprint: str) -> bytes:
        _check_same(request_id, self._fingerprints.get(request_id, ""), fingerprint)
        return await asyncio.shield(self._in_flight[request_id])

    async def record(self, unit: UnitOfWork) -> Outcome:
        """Record a unit decided elsewhere (a consumed foreign event) in decision order."""
        return await self.submit(unit)

    def submit(self, unit: UnitOfWork) -> asyncio.Future[Outcome]:
        """Queue a decided unit now, so that its place in the log is its place in decisions.

        Call it in the same synchronous step as the decision; await the future for the commit.
        """
        self._check_running()
        queued = self._committer.submit(unit)
        result: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        queued.add_done_callback(lambda done: self._settle(done, result, started))
        return result

    def _settle(
        self, done: asyncio.Future[Outcome], result: asyncio.Future[Outcome], started: float
    ) -> None:
        error = done.exception()
        if error is None and self._metrics is not None:
            self._metrics.committed(time.perf_counter() - started)
        if result.cancelled():
            return
        if error is None:
            result.set_result(done.result())
        else:
            # Every failure is fatal here, a version conflict included: the journal's appends
            # check no versions, so a conflict means another writer, and memory already holds
            # the events that were not written. A restart rebuilds from the log.
            self.fail(error)
            result.set_exception(JournalStoppedError(f"recording failed: {error}"))

    async def _decide_and_record(
        self, request_id: str, decide: Callable[[], Decision], fingerprint: str
    ) -> bytes:
        self._check_running()
        decision = decide()  # synchronous: checks rules and applies events to memory
        if decision.error is not None and not decision.requests:
            raise decision.error
        outcome = _outcome(decision, fingerprint).SerializeToString()
        unit = UnitOfWork(decision.requests, IdempotencyRecord(request_id, outcome))
        result = await self.record(unit)
        if isinstance(result, Duplicate):  # another process answered it first
            return _answer(result.outcome, request_id, fingerprint)
        if decision.error is not None:
            raise decision.error
        return decision.response

    def _check_running(self) -> None:
        if self.failure is not None:
            raise JournalStoppedError("this service is restarting after a failed commit")

    def fail(self, error: BaseException) -> None:
        """Stop taking work: memory is ahead of the log (the runtime stops the process, and
        the next start rebuilds from what was really recorded)."""
        if self.failure is None:
            self.failure = error
            self.failed.set()


class OutcomeLookups:
    """Looks request ids up in the store, many in one query: requests that arrive together
    share a round trip (as their commits share a transaction)."""

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self._waiting: dict[str, list[asyncio.Future[bytes | None]]] = {}
        self._drainer: asyncio.Task[None] | None = None

    async def outcome(self, request_id: str) -> bytes | None:
        """The recorded outcome of ``request_id``, if it was executed."""
        future: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(request_id, []).append(future)
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            try:
                found = await self._store.recorded_outcomes(list(batch))
            except Exception as error:
                _fail_all(batch, error)
                continue
            for request_id, futures in batch.items():
                for future in futures:
                    if not future.done():
                        future.set_result(found.get(request_id))


def _fail_all(batch: dict[str, list[asyncio.Future[bytes | None]]], error: Exception) -> None:
    for futures in batch.values():
        for future in futures:
            if not future.done():
                future.set_exception(error)


def _outcome(decision: Decision, fingerprint: str) -> RequestOutcome:
    if decision.error is None:
        return RequestOutcome(response=decision.response, fingerprint=fingerprint)
    error = decision.error
    return RequestOutcome(
        error=RequestError(
            kind=_kind_of(error), reason=error.reason, message=error.message,
            metadata=error.metadata,
        ),
        fingerprint=fingerprint,
    )  # fmt: skip


def _kind_of(error: CqxError) -> str:
    for name, kind in _KINDS.items():
        if isinstance(error, kind):
            return name
    return "FailedPreconditionError"


def _check_same(request_id: str, recorded: str, asked: str) -> None:
    """Refuse a request id that already answered something else (both fingerprints known)."""
    if recorded and asked and recorded != asked:
        raise RequestIdReusedError(
            f"request id {request_id!r} already answered a different request (another RPC "
            "or other fields): use a fresh request id for a new request, the same one only to "
            "retry the same request",
            metadata={"request_id": request_id},
        )


def _answer(recorded: bytes, request_id: str = "", fingerprint: str = "") -> bytes:
    """The recorded answer: the response bytes, or the recorded refusal raised again."""
    outcome = RequestOutcome.FromString(recorded)
    _check_same(request_id, outcome.fingerprint, fingerprint)
    if outcome.WhichOneof("result") == "error":
        kind = _KINDS.get(outcome.error.kind, errors.FailedPreconditionError)
        raise kind(outcome.error.message, reason=outcome.error.reason,
                   metadata=dict(outcome.error.metadata))  # fmt: skip
    return outcome.response
