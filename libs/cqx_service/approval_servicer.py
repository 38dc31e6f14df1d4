"""The approval API every service with four-eyes actions serves (``cqx.approvals.v1``; see
:mod:`cqx_service.approvals`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from cqx.approvals.v1 import approvals_pb2 as pb
from cqx.approvals.v1 import approvals_pb2_grpc as pb_grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.message import Message

from cqx_grpc import bind_call, current_call
from cqx_identity.principal import Principal, Role
from cqx_kernel.errors import (
    CqxError,
    FailedPreconditionError,
    NotFoundError,
    PermissionDeniedError,
)
from cqx_service.application import EventSourcedApplication
from cqx_service.approvals import PENDING, Action, Approvals
from cqx_service.journal import Decision
from cqx_service.paging import page_of
from cqx_service.servicer import call_ids, scoped_key

SERVICE_NAME: str = pb.DESCRIPTOR.services_by_name["ApprovalService"].full_name
Handler = Callable[[Any, Any], Awaitable[Message]]


class ApprovalServicer(pb_grpc.ApprovalServiceServicer):
    """Lists, approves and rejects the actions proposed to ``app``; an approved one runs
    through ``servicer``'s own handler for its method."""

    def __init__(
        self, app: EventSourcedApplication[Any, Any], servicer: Any, service: ServiceDescriptor
    ) -> None:
        self.app = app
        self.approvals: Approvals = app.approvals
        self._service = service
        self._servicer = servicer
        self._approving: set[str] = set()  # approvals whose action is running now

    async def ListActions(  # noqa: N802
        self, request: pb.ListActionsRequest, context: Any
    ) -> pb.ListActionsResponse:
        actions = [a for a in reversed(self.approvals.actions.values())
                   if a.status == PENDING or not request.pending_only]  # fmt: skip
        by_id = {a.approval_id: a for a in actions}
        page = page_of(list(by_id), request.page_size, request.page_token)
        return pb.ListActionsResponse(
            actions=[by_id[k].message() for k in page.keys], next_page_token=page.next_page_token
        )

    async def ApproveAction(  # noqa: N802
        self, request: pb.ApproveActionRequest, context: Any
    ) -> pb.ApproveActionResponse:
        ids = call_ids(request)
        answered = await self.app.journal.answered(ids.request_id, ids.fingerprint)
        if answered is not None:  # a retry: the first answer, not "no longer pending"
            return pb.ApproveActionResponse.FromString(answered)
        approver = current_call()
        action = self._pending(request.approval_id)
        if action.proposed_by == approver.actor:
            raise PermissionDeniedError(
                f"{approver.actor} proposed approval {action.approval_id}: a second, different "
                "operator must approve it",
                reason="SAME_OPERATOR",
                metadata={"approval_id": action.approval_id},
            )
        self._not_running(action.approval_id)
        self._approving.add(action.approval_id)  # no rejection, no second approval meanwhile
        try:
            response, outcome = await self._run(action)

            def decide() -> Decision:
                approved = pb.ActionApproved(
                    approval_id=action.approval_id, approved_by=approver.actor or "",
                    outcome=outcome,
                )  # fmt: skip
                recorded = self.approvals.record(approved, ids.metadata, self.app.new_id)
                answer = pb.ApproveActionResponse(action=action.message(), response=response)
                return Decision([recorded], answer.SerializeToString())

            raw = await self.app.journal.execute(ids.request_id, decide, ids.fingerprint)
        finally:
            self._approving.discard(action.approval_id)
        return pb.ApproveActionResponse.FromString(raw)

    async def RejectAction(  # noqa: N802
        self, request: pb.RejectActionRequest, context: Any
    ) -> pb.RejectActionResponse:
        ids = call_ids(request)
        answered = await self.app.journal.answered(ids.request_id, ids.fingerprint)
        if answered is not None:  # a retry: the first answer
            return pb.RejectActionResponse.FromString(answered)
        rejecter = current_call().actor or ""

        waiting = self._pending(request.approval_id)
        if await self._ran(waiting):
            raise FailedPreconditionError(
                f"approval {waiting.approval_id} ran already when it was approved (its approval "
                "was not recorded): approve it again to record it",
                reason="APPROVAL_ALREADY_RAN",
                metadata={"approval_id": waiting.approval_id},
            )

        def decide() -> Decision:
            action = self._pending(request.approval_id)
            self._not_running(action.approval_id)
            rejected = pb.ActionRejected(
                approval_id=action.approval_id, rejected_by=rejecter, reason=request.reason
            )
            recorded = self.approvals.record(rejected, ids.metadata, self.app.new_id)
            answer = pb.RejectActionResponse(action=action.message())
            return Decision([recorded], answer.SerializeToString())

        raw = await self.app.journal.execute(ids.request_id, decide, ids.fingerprint)
        return pb.RejectActionResponse.FromString(raw)

    def _pending(self, approval_id: str) -> Action:
        action = self.approvals.actions.get(approval_id)
        if action is None:
            raise NotFoundError(
                f"no approval {approval_id} here", reason="APPROVAL_NOT_FOUND",
                metadata={"approval_id": approval_id},
            )  # fmt: skip
        if action.status != PENDING:
            status = pb.ApprovalStatus.Name(action.status)  # type: ignore[arg-type]
            raise FailedPreconditionError(
                f"approval {approval_id} is decided already ({status} by {action.decided_by})",
                reason="APPROVAL_NOT_PENDING",
                metadata={"approval_id": approval_id},
            )
        return action

    def _not_running(self, approval_id: str) -> None:
        if approval_id in self._approving:
            raise FailedPreconditionError(
                f"approval {approval_id} is being approved now", reason="APPROVAL_IN_PROGRESS",
                metadata={"approval_id": approval_id},
            )  # fmt: skip

    async def _ran(self, action: Action) -> bool:
        """Whether the action's approved run was recorded (a crash between it and the
        approval's record leaves it pending)."""
        key = f"{scoped_key(action.proposed_by, action.request_id)} approved"
        try:
            return await self.app.journal.answered(key) is not None
        except CqxError:  # the run was refused: it ran all the same
            return True

    async def _run(self, action: Action) -> tuple[bytes, str]:
        """Run the stored request through its own handler, as the proposer's (its request id
        and principal), approved by the caller; its response bytes (empty if refused) and its
        outcome (OK or the reason)."""
        descriptor = self._service.methods_by_name[action.method]
        message = message_factory.GetMessageClass(descriptor.input_type)
        request = message.FromString(action.request)
        handler: Handler = getattr(self._servicer, action.method)
        approver = current_call()
        role, _, name = action.proposed_by.partition(":")
        as_proposer = replace(
            approver, principal=Principal(Role(role), name), approved_by=approver.actor,
            request_id=action.request_id,
            method=f"/{self._service.full_name}/{action.method}",
        )  # fmt: skip
        try:
            with bind_call(as_proposer):
                response = await handler(request, None)
        except CqxError as refused:
            return b"", refused.reason
        return response.SerializeToString(), "OK"


def serve_approvals(
    app: EventSourcedApplication[Any, Any],
    servicer: Any,
    service: ServiceDescriptor,
    methods: frozenset[str],
    thresholds: Mapping[str, tuple[str, int]] | None = None,
) -> tuple[str, Callable[[Any], None]]:
    """Make ``methods`` (those of ``service`` among them) need four eyes in ``app``, and the
    calls above ``thresholds`` (method → (field, limit)); the approval API's service name and
    registration, for the wiring."""
    app.approvals.methods = frozenset(m for m in methods if m in service.methods_by_name)
    app.approvals.thresholds = dict(thresholds or {})
    approvals = ApprovalServicer(app, servicer, service)
    return SERVICE_NAME, lambda server: pb_grpc.add_ApprovalServiceServicer_to_server(
        approvals, server
    )
