"""The directory of account owners outside the registry: only members' trading accounts."""

from __future__ import annotations

from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.registry.v1 import events_pb2 as registry

from cqx_service.directory import AccountDirectory


def _opened(account: str, kind: int, source: str = "registry") -> EventEnvelope:
    message = registry.AccountOpened(account_id=account, kind=kind, participant_id="p-1")
    return EventEnvelope(
        source=source, event_id=f"ev-{account}", event_type=message.DESCRIPTOR.full_name,
        payload=message.SerializeToString(),
    )  # fmt: skip


def test_a_trading_account_is_recorded_with_its_owner_and_rebuilt_from_the_record() -> None:
    directory = AccountDirectory()
    recorded = directory.reaction(_opened("a-1", registry.ACCOUNT_KIND_COVERED_ENTITY), str)
    assert recorded is not None
    assert directory.owner_of("a-1") == "p-1"
    (event,) = recorded.events
    rebuilt = AccountDirectory()
    assert rebuilt.fold(event.event_type, event.payload)
    assert rebuilt.owner_of("a-1") == "p-1"


def test_a_staff_bodys_account_or_anothers_claim_has_no_owner_here() -> None:
    directory = AccountDirectory()
    for kind in (
        registry.ACCOUNT_KIND_EXCHANGE,
        registry.ACCOUNT_KIND_ISSUANCE,
        registry.ACCOUNT_KIND_CANCELLATION,
    ):
        assert directory.reaction(_opened(f"staff-{kind}", kind), str) is None
        assert directory.owner_of(f"staff-{kind}") is None
    forged = _opened("a-2", registry.ACCOUNT_KIND_INSTITUTION, source="matching")
    assert directory.reaction(forged, str) is None  # only the registry says who owns what
    assert directory.owner_of("a-2") is None
