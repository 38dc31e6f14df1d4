"""Four eyes from the client's side: list, approve and reject the operators' actions that wait
for a second operator (``cqx.approvals.v1``, served by registry, allocation and settlement)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from cqx.approvals.v1 import approvals_pb2 as pb
from cqx.approvals.v1 import approvals_pb2_grpc as pb_grpc

from cqx_sdk.channels import ServiceChannel

FOUR_EYES_SERVICES = ("registry", "allocation", "settlement")


@dataclass(frozen=True)
class Action:
    """An operator's action proposed to a service, and what became of it."""

    approval_id: str
    method: str
    proposed_by: str
    request_id: str
    status: str  # pending, approved, rejected
    decided_by: str
    reason: str

    @classmethod
    def of(cls, m: pb.Action) -> Action:
        status = pb.ApprovalStatus.Name(m.status).removeprefix("APPROVAL_STATUS_").lower()
        return cls(
            m.approval_id, m.method, m.proposed_by, m.request_id, status, m.decided_by, m.reason
        )


class ApprovalsClient:
    """One service's approvals."""

    def __init__(self, channel: ServiceChannel) -> None:
        self._channel = channel
        self._stub = pb_grpc.ApprovalServiceStub(channel.channel)

    def list(self, *, pending_only: bool = False) -> AsyncIterator[Action]:
        """Every action proposed here, newest first (``pending_only``: those that wait)."""
        return self._channel.paged(
            self._stub.ListActions, pb.ListActionsRequest, "actions", Action.of,
            pending_only=pending_only,
        )  # fmt: skip

    async def approve(self, approval_id: str, *, request_id: str | None = None) -> Action:
        """Approve (as a second, different operator): the action runs now, as its proposer's;
        its refusal, if it was refused, is the returned action's ``reason``."""
        reply: pb.ApproveActionResponse = await self._channel.mutate(
            self._stub.ApproveAction, pb.ApproveActionRequest, request_id,
            approval_id=approval_id,
        )  # fmt: skip
        return Action.of(reply.action)

    async def reject(
        self, approval_id: str, reason: str, *, request_id: str | None = None
    ) -> Action:
        """Reject a pending action: it never runs."""
        reply: pb.RejectActionResponse = await self._channel.mutate(
            self._stub.RejectAction, pb.RejectActionRequest, request_id,
            approval_id=approval_id, reason=reason,
        )  # fmt: skip
        return Action.of(reply.action)
