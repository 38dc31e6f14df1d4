"""Four eyes (issue 9): depositing cash, an operator's act that creates money, takes effect only
when a second, different operator approves it; the proposer cannot approve its own; a
rejected one never runs; what waits and what was decided survives a restart."""

from __future__ import annotations

import dataclasses
import secrets

import grpc
import pytest
from cqx.approvals.v1 import approvals_pb2 as ap
from cqx.approvals.v1 import approvals_pb2_grpc as ap_grpc
from cqx.settlement.v1 import settlement_service_pb2 as api

from cqx_bus import KafkaAccess
from cqx_grpc import error_info
from cqx_sdk import Addresses, CqxClient
from tests.component.settlement.support import Settlement, refused, rid, settlement_service
from tests.support import pki
from tests.support.service_harness import settings_for

ACCOUNT = "four-eyes-1"


def _approvals(service: Settlement, files: pki.TlsFiles) -> ap_grpc.ApprovalServiceStub:
    return ap_grpc.ApprovalServiceStub(pki.channel(service.address, files))


async def _propose(service: Settlement, amount: int) -> str:
    """An operator's deposit: refused APPROVAL_REQUIRED, naming the approval that waits."""
    request = api.DepositFundsRequest(request_id=rid(), account_id=ACCOUNT, amount_fen=amount)
    with pytest.raises(grpc.aio.AioRpcError) as refusal:
        await service.stub.DepositFunds(request)
    info = error_info(refusal.value)
    assert info is not None
    assert (refusal.value.code(), info.reason) == (
        grpc.StatusCode.FAILED_PRECONDITION, "APPROVAL_REQUIRED"
    )  # fmt: skip
    return str(info.metadata["approval_id"])


async def _cash(service: Settlement) -> int:
    """The account's balance (0 while nothing was ever deposited)."""
    try:
        return (await service.balance(ACCOUNT)).balance_fen
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return 0
        raise


async def test_a_deposit_waits_for_a_second_different_operator(
    database_url: str, kafka_admin: KafkaAccess
) -> None:
    settings = settings_for(
        "settlement",
        database_url,
        kafka_admin,
        f"t_{secrets.token_hex(4)}",
        four_eyes="DepositFunds",
    )
    async with settlement_service(settings) as service:
        await service.opened(ACCOUNT)
        approval = await _propose(service, 1_000_000)
        assert await _cash(service) == 0
        head = await service.head()
        same = _approvals(service, pki.operator())
        approve = ap.ApproveActionRequest(request_id=rid(), approval_id=approval)
        assert await refused(same.ApproveAction(approve)) == (
            grpc.StatusCode.PERMISSION_DENIED,
            "SAME_OPERATOR",
        )
        for outsider in (pki.auditor(), pki.member(ACCOUNT)):
            assert await refused(_approvals(service, outsider).ApproveAction(approve)) == (
                grpc.StatusCode.PERMISSION_DENIED,
                "ROLE_NOT_ALLOWED",
            )
        assert await service.head() == head
        assert await _cash(service) == 0

        second = _approvals(service, pki.credentials(pki.OPERATOR_2, pki.Role.OPERATOR))
        approved = await second.ApproveAction(approve)
        action = approved.action
        assert (action.status, action.decided_by, action.reason) == (
            ap.APPROVAL_STATUS_APPROVED, "operator:operator-2", "OK"
        )  # fmt: skip
        deposit = api.DepositFundsResponse.FromString(approved.response)
        assert deposit.balance_fen == 1_000_000
        assert await _cash(service) == 1_000_000
        recorded = [e async for e in service.store.read_all(head)]
        deposited = [e for e in recorded if e.event_type.endswith("FundsDeposited")]
        assert [(e.metadata["actor"], e.metadata["approved_by"]) for e in deposited] == [
            ("operator:operator", "operator:operator-2")
        ]
        assert await second.ApproveAction(approve) == approved  # a retry: the first answer
        assert await _cash(service) == 1_000_000  # and nothing twice
        again = ap.ApproveActionRequest(request_id=rid(), approval_id=approval)
        assert await refused(second.ApproveAction(again)) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "APPROVAL_NOT_PENDING",
        )

        withdrawn = await _propose(service, 5_000)
        files = pki.credentials(pki.OPERATOR_2, pki.Role.OPERATOR)
        async with CqxClient(Addresses(settlement=service.address), files) as client:
            waiting = [a async for a in client.approvals("settlement").list(pending_only=True)]
            assert [(a.approval_id, a.method, a.proposed_by) for a in waiting] == [
                (withdrawn, "DepositFunds", "operator:operator")
            ]
            rejected = await client.approvals("settlement").reject(
                withdrawn, "typo", request_id="reject-1"
            )
            assert (rejected.status, rejected.reason) == ("rejected", "typo")
            again = await client.approvals("settlement").reject(
                withdrawn, "typo", request_id="reject-1"
            )
            assert again == rejected  # a retry: the first answer
        late = ap.ApproveActionRequest(request_id=rid(), approval_id=withdrawn)
        assert (await refused(second.ApproveAction(late)))[1] == "APPROVAL_NOT_PENDING"
        assert await _cash(service) == 1_000_000

    async with settlement_service(settings) as restarted:  # rebuilt from the log
        auditor = _approvals(restarted, pki.auditor())
        listed = await auditor.ListActions(ap.ListActionsRequest())
        assert [(a.approval_id, a.status, a.decided_by) for a in listed.actions] == [
            (withdrawn, ap.APPROVAL_STATUS_REJECTED, "operator:operator-2"),
            (approval, ap.APPROVAL_STATUS_APPROVED, "operator:operator-2"),
        ]
        assert await _cash(restarted) == 1_000_000


async def test_a_withdrawal_beyond_the_threshold_waits_for_an_operator(
    database_url: str, kafka_admin: KafkaAccess
) -> None:
    settings = dataclasses.replace(
        settings_for(
            "settlement", database_url, kafka_admin, f"t_{secrets.token_hex(4)}",
            four_eyes="DepositFunds",
        ),
        withdrawal_approval_fen=500_000,
    )  # fmt: skip
    async with settlement_service(settings) as service:
        await service.opened(ACCOUNT)
        approval = await _propose(service, 1_000_000)
        second = _approvals(service, pki.credentials(pki.OPERATOR_2, pki.Role.OPERATOR))
        await second.ApproveAction(ap.ApproveActionRequest(request_id=rid(), approval_id=approval))
        member = service.stub.as_(pki.member(ACCOUNT))

        def withdraw(amount: int) -> api.RequestWithdrawalRequest:
            return api.RequestWithdrawalRequest(
                request_id=rid(), account_id=ACCOUNT, amount_fen=amount
            )

        small = await member.RequestWithdrawal(withdraw(400_000))  # under the threshold
        assert small.withdrawal.amount_fen == 400_000
        with pytest.raises(grpc.aio.AioRpcError) as refusal:
            await member.RequestWithdrawal(withdraw(600_000))
        info = error_info(refusal.value)
        assert info is not None
        assert info.reason == "APPROVAL_REQUIRED"
        waiting = info.metadata["approval_id"]
        head = await service.head()
        as_member = _approvals(service, pki.member(ACCOUNT))  # a member approves nothing
        assert await refused(
            as_member.ApproveAction(ap.ApproveActionRequest(request_id=rid(), approval_id=waiting))
        ) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED")
        assert await service.head() == head
        approved = await second.ApproveAction(
            ap.ApproveActionRequest(request_id=rid(), approval_id=waiting)
        )
        big = api.RequestWithdrawalResponse.FromString(approved.response)
        assert big.withdrawal.amount_fen == 600_000
        recorded = [e async for e in service.store.read_all(head)]
        asked = [e for e in recorded if e.event_type.endswith("CashWithdrawalRequested")]
        assert [(e.metadata["actor"], e.metadata["approved_by"]) for e in asked] == [
            (f"member:{ACCOUNT}", "operator:operator-2")
        ]
