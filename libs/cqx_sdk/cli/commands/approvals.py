"""``cqx approvals``: four eyes, the operators' actions that wait for a second operator."""

from __future__ import annotations

import click

from cqx_sdk.approvals import FOUR_EYES_SERVICES, Action
from cqx_sdk.cli import arguments, invocation
from cqx_sdk.cli.invocation import Invocation, leaf
from cqx_sdk.cli.render import table


def _table(actions: list[Action]) -> str:
    rows = [
        (a.approval_id, a.method, a.proposed_by, a.status, a.decided_by or "-", a.reason or "-")
        for a in actions
    ]
    headers = ("APPROVAL", "METHOD", "PROPOSED BY", "STATUS", "DECIDED BY", "REASON")
    return table(headers, rows, empty="(no actions)")


async def list_actions(run: Invocation) -> int:
    """``cqx approvals list --service S [--pending]``."""
    approvals = run.client.approvals(run.args.service)
    found = [a async for a in approvals.list(pending_only=run.args.pending)]
    run.out.emit(found, _table(found))
    return 0


async def approve(run: Invocation) -> int:
    """``cqx approvals approve ID --service S``."""
    approvals = run.client.approvals(run.args.service)
    done = await approvals.approve(run.args.approval_id, request_id=run.request_id)
    outcome = "it ran" if done.reason == "OK" else f"it was refused when it ran: {done.reason}"
    run.out.emit(
        done, f"approved {done.approval_id} ({done.method} by {done.proposed_by}): {outcome}"
    )
    return 0


async def reject(run: Invocation) -> int:
    """``cqx approvals reject ID --service S --reason R``."""
    approvals = run.client.approvals(run.args.service)
    done = await approvals.reject(run.args.approval_id, run.args.reason, request_id=run.request_id)
    run.out.emit(done, f"rejected {done.approval_id} ({done.method} by {done.proposed_by})")
    return 0


def register(root: click.Group) -> None:
    """Add ``approvals``."""
    group = invocation.group(
        root, "approvals", "four eyes: the operators' actions waiting for a second operator"
    )

    def service() -> click.Option:
        return click.Option(
            ["--service"], required=True, type=click.Choice(FOUR_EYES_SERVICES),
            help="where the action was proposed",
        )  # fmt: skip

    def approval_id() -> click.Argument:
        return click.Argument(["approval_id"], metavar="ID", type=arguments.IDENTIFIER)

    pending = click.Option(["--pending"], is_flag=True, help="only those that wait")
    leaf(group, "list", list_actions, [service(), pending], help="the actions proposed")
    leaf(
        group, "approve", approve, [approval_id(), service()], mutating=True,
        help="operator: approve another operator's action (it runs now)",
    )  # fmt: skip
    leaf(
        group, "reject", reject,
        [approval_id(), service(), click.Option(["--reason"], required=True)], mutating=True,
        help="operator: reject a waiting action (it never runs)",
    )  # fmt: skip
