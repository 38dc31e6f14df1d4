"""Accounts through the gRPC API: open, get, list by page; bad input records nothing."""

from __future__ import annotations

import grpc
from cqx.registry.v1 import events_pb2 as events
from cqx.registry.v1 import registry_service_pb2 as api
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cqx_bus import KafkaAccess
from tests.component.registry.support import Registry, refusal, registry_service, rid
from tests.support.service_harness import settings_for

COVERED = events.ACCOUNT_KIND_COVERED_ENTITY


async def test_accounts_open_list_and_refuse_bad_input(
    database_url: str, kafka_admin: KafkaAccess, unique_name: str
) -> None:
    settings = settings_for("registry", database_url, kafka_admin, unique_name)
    async with registry_service(settings) as registry:
        await _serves_health(registry)
        await _opens_idempotently(registry)
        await _lists_by_page(registry)
        await _refuses_bad_input_and_records_nothing(registry)


async def _serves_health(registry: Registry) -> None:
    reply = await health_pb2_grpc.HealthStub(registry.channel).Check(
        health_pb2.HealthCheckRequest(service="cqx.registry.v1.RegistryService")
    )
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def _opens_idempotently(registry: Registry) -> None:
    await registry.register("datang")
    request = api.OpenAccountRequest(
        request_id="open-1",
        account_id="KEU-0001",
        kind=COVERED,
        name="Datang Shanxi",
        participant_id="datang",
    )
    opened = await registry.stub.OpenAccount(request)
    registry.stub.owners["KEU-0001"] = "datang"  # its member acts for participant datang
    assert opened.account == api.Account(
        account_id="KEU-0001", kind=COVERED, name="Datang Shanxi", participant_id="datang"
    )
    (recorded,) = await registry.app.store.read_stream("account-KEU-0001")
    assert recorded.metadata["request_id"] == "open-1"
    head = await registry.head()
    assert await registry.stub.OpenAccount(request) == opened  # the retry: same answer
    assert await registry.head() == head  # … and nothing recorded twice
    again = api.OpenAccountRequest(
        request_id=rid(), account_id="KEU-0001", kind=COVERED, name="X", participant_id="datang"
    )
    assert await refusal(registry.stub.OpenAccount(again)) == (
        grpc.StatusCode.ALREADY_EXISTS,
        "ACCOUNT_ALREADY_EXISTS",
    )
    got = await registry.stub.GetAccount(api.GetAccountRequest(account_id="KEU-0001"))
    assert (got.account.name, got.account.participant_id) == ("Datang Shanxi", "datang")


async def _lists_by_page(registry: Registry) -> None:
    for account_id in ("KEU-0003", "KEU-0002", "EXCHANGE"):
        await registry.open(account_id)
    first = await registry.stub.ListAccounts(api.ListAccountsRequest(page_size=2))
    second = await registry.stub.ListAccounts(
        api.ListAccountsRequest(page_size=2, page_token=first.next_page_token)
    )
    ids = [a.account_id for a in (*first.accounts, *second.accounts)]
    assert ids == ["EXCHANGE", "KEU-0001", "KEU-0002", "KEU-0003"]
    assert second.next_page_token == ""
    everything = await registry.stub.ListAccounts(api.ListAccountsRequest())
    assert len(everything.accounts) == 4


async def _refuses_bad_input_and_records_nothing(registry: Registry) -> None:
    head = await registry.head()
    stub = registry.stub
    cases = [
        (
            stub.OpenAccount(api.OpenAccountRequest(account_id="A", kind=COVERED, name="A")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "REQUEST_ID_MISSING",
        ),
        (
            stub.OpenAccount(
                api.OpenAccountRequest(
                    request_id=rid(),
                    account_id="bad id!",
                    kind=COVERED,
                    name="A",
                    participant_id="datang",
                )
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "ACCOUNT_ID_INVALID",
        ),
        (
            stub.OpenAccount(
                api.OpenAccountRequest(
                    request_id=rid(), account_id="A", kind=COVERED, name="A", participant_id="x"
                )
            ),
            grpc.StatusCode.NOT_FOUND,
            "PARTICIPANT_NOT_FOUND",
        ),
        (
            stub.OpenAccount(api.OpenAccountRequest(request_id=rid(), account_id="A", name="A")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "ENUM_VALUE_REQUIRED",  # refused at the edge (docs/api-bounds.md)
        ),
        (
            stub.GetAccount(api.GetAccountRequest(account_id="NOBODY")),
            grpc.StatusCode.NOT_FOUND,
            "ACCOUNT_NOT_FOUND",
        ),
        (
            stub.ListAccounts(api.ListAccountsRequest(page_size=501)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "PAGE_SIZE_TOO_LARGE",
        ),
        (
            stub.ListAccounts(api.ListAccountsRequest(page_token="%%%")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "PAGE_TOKEN_INVALID",
        ),
        (
            stub.GetHoldings(api.GetHoldingsRequest(account_id="NOBODY")),
            grpc.StatusCode.NOT_FOUND,
            "ACCOUNT_NOT_FOUND",
        ),
        (
            stub.MoveToTrading(
                api.MoveToTradingRequest(
                    request_id=rid(),
                    account_id="KEU-0001",
                    instrument="CEA-2024",
                    quantity_tonnes=0,
                )
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "QUANTITY_NOT_POSITIVE",
        ),
        (
            stub.MoveToTrading(
                api.MoveToTradingRequest(
                    request_id=rid(),
                    account_id="KEU-0001",
                    instrument="EUA-2024",
                    quantity_tonnes=1,
                )
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INSTRUMENT_UNKNOWN",
        ),
        (
            stub.MoveToTrading(
                api.MoveToTradingRequest(
                    request_id=rid(),
                    account_id="KEU-0001",
                    instrument="CEA-2024",
                    quantity_tonnes=1,
                )
            ),
            grpc.StatusCode.FAILED_PRECONDITION,
            "INSUFFICIENT_REGISTRY_POSITION",
        ),
        (
            stub.Surrender(
                api.SurrenderRequest(
                    request_id=rid(),
                    account_id="NOBODY",
                    instrument="CEA-2024",
                    quantity_tonnes=1,
                    compliance_year=2024,
                )
            ),  # a member's action on an account no one owns: not the caller's
            grpc.StatusCode.PERMISSION_DENIED,
            "NOT_YOUR_ACCOUNT",
        ),
        (
            stub.Unfreeze(
                api.UnfreezeRequest(request_id=rid(), freeze_id="nope", quantity_tonnes=1)
            ),
            grpc.StatusCode.NOT_FOUND,
            "FREEZE_NOT_FOUND",
        ),
        (
            stub.CheckConservation(api.CheckConservationRequest(instrument="CEA-2100")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INSTRUMENT_UNKNOWN",
        ),
    ]
    for call, code, reason in cases:
        assert await refusal(call) == (code, reason)
    assert await registry.head() == head
