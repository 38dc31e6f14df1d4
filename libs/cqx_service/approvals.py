"""Four eyes: an operator's action that creates, destroys or locks value waits for a second one.

As the EU registry requires, the methods named by ``CQX_FOUR_EYES`` (by default
:data:`DEFAULT_FOUR_EYES`: issuing allowances, depositing cash, freezing and unfreezing) take
effect only when a second, different operator approves them (setting an allocation too, since
issuing issues whatever is allocated). The first operator's call is
recorded as ``ActionProposed`` (stream ``approval-<id>``, in the service's own log) and
answered FAILED_PRECONDITION ``APPROVAL_REQUIRED`` with the approval's id; nothing else
happens. Another operator's ``ApproveAction`` runs the stored request then, as the proposer's
(its events record the proposer as actor and the approver as ``approved_by``), and records
``ActionApproved``; ``RejectAction`` records ``ActionRejected`` and the request never runs.
The proposer can never approve its own action (``SAME_OPERATOR``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from cqx.approvals.v1 import approvals_pb2 as pb
from google.protobuf.message import Message

from cqx_eventstore import AppendRequest, NewEvent
from cqx_grpc import CallMetadata
from cqx_kernel.errors import FailedPreconditionError, InvalidArgumentError
from cqx_service.journal import Decision, Journal

# SetAllocation too: issuing issues what is allocated, so changing that figure needs four eyes.
DEFAULT_FOUR_EYES = frozenset(
    {"SetAllocation", "IssueAllocation", "DepositFunds", "Freeze", "Unfreeze"}
)
OFF = ("off", "none", "")
PROPOSED = pb.ActionProposed.DESCRIPTOR.full_name
APPROVED = pb.ActionApproved.DESCRIPTOR.full_name
REJECTED = pb.ActionRejected.DESCRIPTOR.full_name
PENDING = pb.APPROVAL_STATUS_PENDING


WITHDRAWAL_THRESHOLD_FEN = 100_000_000  # 1,000,000.00 CNY


def withdrawal_threshold(environ: Mapping[str, str]) -> int | None:
    """``CQX_FOUR_EYES_WITHDRAWAL_FEN``: above it, a member's withdrawal waits for an operator's
    approval (default 100,000,000 fen, i.e. 1,000,000.00 CNY); none when four eyes are off."""
    if environ.get("CQX_FOUR_EYES", "default").strip().lower() in OFF:
        return None
    raw = environ.get("CQX_FOUR_EYES_WITHDRAWAL_FEN", "").strip()
    if not raw:
        return WITHDRAWAL_THRESHOLD_FEN
    if not raw.isdigit():
        raise InvalidArgumentError(
            f"CQX_FOUR_EYES_WITHDRAWAL_FEN is a whole number of fen, not {raw!r}"
        )
    return int(raw)


def four_eyes_methods(
    environ: Mapping[str, str], operator_methods: Iterable[str]
) -> frozenset[str]:
    """``CQX_FOUR_EYES``: unset, the defaults; ``off``, none; else a comma-separated list of
    operators' methods of the services that serve approvals (registry, allocation,
    settlement); any other name is an error."""
    raw = environ.get("CQX_FOUR_EYES")
    if raw is None:
        return DEFAULT_FOUR_EYES
    if raw.strip().lower() in OFF:
        return frozenset()
    chosen = frozenset(name.strip() for name in raw.split(",") if name.strip())
    unknown = sorted(chosen - set(operator_methods))
    if unknown:
        raise InvalidArgumentError(
            f"CQX_FOUR_EYES names {', '.join(unknown)}, which are not operators' methods of "
            "registry, allocation or settlement (or say off)"
        )
    return chosen


@dataclass
class Action:
    """One proposed action and what became of it."""

    approval_id: str
    method: str
    proposed_by: str
    request_id: str
    request: bytes
    status: int = PENDING
    decided_by: str = ""
    reason: str = ""

    def message(self) -> pb.Action:
        return pb.Action(
            approval_id=self.approval_id, method=self.method, proposed_by=self.proposed_by,
            request_id=self.request_id, request=self.request, status=self.status,  # type: ignore[arg-type]
            decided_by=self.decided_by, reason=self.reason,
        )  # fmt: skip


class Approvals:
    """The methods that need four eyes here, and every action proposed (folded from the log
    at start, changed as decisions are made)."""

    def __init__(self, methods: frozenset[str] = frozenset()) -> None:
        self.methods = methods
        # method → (field, limit): a call above the limit waits for an operator (a member's
        # withdrawal beyond the threshold, whoever asks)
        self.thresholds: dict[str, tuple[str, int]] = {}
        self.actions: dict[str, Action] = {}

    def needs(self, method: str, approved_by: str | None, request: Message | None = None) -> bool:
        """Whether a call of ``method`` (its full path) with ``request`` must wait for a
        second principal's approval: always for the methods named, above the threshold for
        those that have one."""
        if approved_by is not None:
            return False
        name = method.rsplit("/", 1)[-1]
        if name in self.methods:
            return True
        field, limit = self.thresholds.get(name, ("", -1))
        return bool(field) and int(getattr(request, field, 0)) > limit

    def fold(self, event_type: str, payload: bytes) -> bool:
        """Apply a recorded event if it is one of this module's; whether it was."""
        if event_type == PROPOSED:
            p = pb.ActionProposed.FromString(payload)
            self.actions[p.approval_id] = Action(
                p.approval_id, p.method, p.proposed_by, p.request_id, p.request
            )
        elif event_type == APPROVED:
            a = pb.ActionApproved.FromString(payload)
            self._decided(a.approval_id, pb.APPROVAL_STATUS_APPROVED, a.approved_by, a.outcome)
        elif event_type == REJECTED:
            r = pb.ActionRejected.FromString(payload)
            self._decided(r.approval_id, pb.APPROVAL_STATUS_REJECTED, r.rejected_by, r.reason)
        else:
            return False
        return True

    def _decided(self, approval_id: str, status: int, by: str, reason: str) -> None:
        action = self.actions[approval_id]
        action.status, action.decided_by, action.reason = status, by, reason

    def record(
        self, message: pb.ActionProposed | pb.ActionApproved | pb.ActionRejected,
        metadata: Mapping[str, str], new_id: Callable[[], str],
    ) -> AppendRequest:  # fmt: skip
        """Apply ``message`` here and return its append (on the approval's stream)."""
        event_type, payload = message.DESCRIPTOR.full_name, message.SerializeToString()
        self.fold(event_type, payload)
        return AppendRequest(
            f"approval-{message.approval_id}",
            None,
            [NewEvent(new_id(), event_type, payload)],
            dict(metadata),
        )


@dataclass(frozen=True)
class Proposal:
    """One call to record as a proposal: its journal key, fingerprint and events' metadata."""

    key: str
    fingerprint: str
    metadata: Mapping[str, str]


async def propose(
    approvals: Approvals,
    journal: Journal,
    new_id: Callable[[], str],
    proposal: Proposal,
    call: CallMetadata,
    request: Message,
) -> bytes:
    """Record ``request`` as an action waiting for a second operator; always refused with
    FAILED_PRECONDITION ``APPROVAL_REQUIRED`` (a retry gets the same answer)."""
    method = call.method.rsplit("/", 1)[-1]

    def decide() -> Decision:
        approval_id = new_id()
        proposed = pb.ActionProposed(
            approval_id=approval_id, method=method, proposed_by=call.actor or "",
            request_id=proposal.metadata.get("request_id", ""),
            request=request.SerializeToString(deterministic=True),
        )  # fmt: skip
        recorded = approvals.record(proposed, proposal.metadata, new_id)
        refusal = FailedPreconditionError(
            f"{method} needs a second operator's approval: approval {approval_id} waits "
            "(another operator approves it with ApproveAction, `cqx approvals approve`)",
            reason="APPROVAL_REQUIRED",
            metadata={"approval_id": approval_id, "method": method},
        )
        return Decision([recorded], error=refusal)

    return await journal.execute(proposal.key, decide, proposal.fingerprint)
