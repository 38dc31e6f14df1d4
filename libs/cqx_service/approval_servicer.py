"""The approval API every service with four-eyes actions serves (``cqx.approvals.v1``; see
:mod:`cqx_service.approvals`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
from cqx_service.approvals import PENDING, Approvals
from cqx_service.journal import Decision
from cqx_service.paging import page_of
from cqx_service.servicer import call_ids

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
        response, outcome = await self._run(action.method, action.request, action.proposed_by)

        def decide() -> Decision:
            self._pending(action.approval_id)  # still pending: another approver may have won
            approved = pb.ActionApproved(
                approval_id=action.approval_id, approved_by=approver.actor or "", outcome=outcome
            )
            recorded = self.approvals.record(approved, ids.metadata, self.app.new_id)
            answer = pb.ApproveActionResponse(action=action.message(), response=response)
            return Decision([recorded], answer.SerializeToString())

        raw = await self.app.journal.execute(ids.request_id, decide, ids.fingerprint)
        return pb.ApproveActionResponse.FromString(raw)

    async def RejectAction(  # noqa: N802
        self, request: pb.RejectActionRequest, context: Any
    ) -> pb.RejectActionResponse:
        ids = call_ids(request)
        rejecter = current_call().actor or ""

        def decide() -> Decision:
            action = self._pending(request.approval_id)
            rejected = pb.ActionRejected(
                approval_id=action.approval_id, rejected_by=rejecter, reason=request.reason
            )
            recorded = self.approvals.record(rejected, ids.metadata, self.app.new_id)
            answer = pb.RejectActionResponse(action=action.message())
            return Decision([recorded], answer.SerializeToString())

        raw = await self.app.journal.execute(ids.request_id, decide, ids.fingerprint)
        return pb.RejectActionResponse.FromString(raw)

    def _pending(self, approval_id: str) -> Any:
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

    async def _run(self, method: str, payload: bytes, proposer: str) -> tuple[bytes, str]:
        """Run the stored request through its own handler, as the proposer's, approved by the
        caller; its response bytes (empty if refused) and its outcome (OK or the reason)."""
        descriptor = self._service.methods_by_name[method]
        request = message_factory.GetMessageClass(descriptor.input_type).FromString(payload)
        handler: Handler = getattr(self._servicer, method)
        approver = current_call()
        role, _, name = proposer.partition(":")
        as_proposer = replace(
            approver, principal=Principal(Role(role), name), approved_by=approver.actor,
            method=f"/{self._service.full_name}/{method}",
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
) -> tuple[str, Callable[[Any], None]]:
    """Make ``methods`` (those of ``service`` among them) need four eyes in ``app``; the
    approval API's service name and registration, for the wiring."""
    app.approvals.methods = frozenset(m for m in methods if m in service.methods_by_name)
    approvals = ApprovalServicer(app, servicer, service)
    return SERVICE_NAME, lambda server: pb_grpc.add_ApprovalServiceServicer_to_server(
        approvals, server
    )
