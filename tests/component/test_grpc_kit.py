"""Component tests of cqx_grpc: a real asyncio server on port 0, called over a real channel.

The test service has no generated protos: its methods take and return raw bytes, which is all
the edge (error mapping, call metadata, health, reflection, shutdown) needs to be exercised.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from cqx.matching.v1.matching_service_pb2 import PlaceOrderRequest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from cqx_grpc import (
    HEALTH_SERVICE_NAME,
    REFLECTION_SERVICE_NAME,
    Gate,
    GrpcServer,
    call_metadata,
    current_call,
    error_info,
)
from cqx_identity import TlsFiles
from cqx_kernel.errors import (
    AlreadyExistsError,
    ConflictError,
    CqxError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    UnavailableError,
)
from tests.support import pki

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVICE = "cqx.test.v1.TestService"
OTHER_SERVICE = "cqx.test.v1.OtherService"
SECRET = "secret internals: password=hunter2"

ERROR_KINDS: dict[str, type[CqxError]] = {
    kind.__name__: kind
    for kind in (
        InvalidArgumentError,
        NotFoundError,
        AlreadyExistsError,
        FailedPreconditionError,
        ConflictError,
        UnavailableError,
        CqxError,
    )
}


# --- the test service -------------------------------------------------------------------


async def raise_kind(request: bytes, context: Any) -> bytes:
    """Raise the error kind named by the request, with a reason and metadata."""
    raise ERROR_KINDS[request.decode()](
        "price 1200 outside band [900, 1100]",
        reason="PRICE_OUTSIDE_BAND",
        metadata={"instrument": "CEA-2025", "band_high": "1100"},
    )


async def raise_camel_reason(request: bytes, context: Any) -> bytes:
    raise FailedPreconditionError("no", reason="priceOutsideBand")


async def crash(request: bytes, context: Any) -> bytes:
    raise RuntimeError(SECRET)


async def abort_itself(request: bytes, context: Any) -> bytes:
    await context.abort(grpc.StatusCode.PERMISSION_DENIED, "not yours")
    return b""


async def echo(request: bytes, context: Any) -> bytes:
    return json.dumps(current_call().as_event_metadata()).encode()


async def echo_then_fail(request: bytes, context: Any) -> AsyncIterator[bytes]:
    yield json.dumps(current_call().as_event_metadata()).encode()
    yield b"second"
    raise NotFoundError("gone midway", reason="ORDER_NOT_FOUND", metadata={"order_id": "o-1"})


async def write_then_crash(request: bytes, context: Any) -> None:
    await context.write(b"first")
    raise RuntimeError(SECRET)


REACHED: list[str] = []  # the requests that reached the typed handler


async def place(request: PlaceOrderRequest, context: Any) -> bytes:
    """A handler with a typed request: records that it ran, echoes the account id."""
    REACHED.append(request.request_id)
    return request.account_id.encode()


async def raise_long(request: bytes, context: Any) -> bytes:
    """A refusal that echoes a 10 kB value in its message and metadata, as a service may."""
    value = "x" * 10_240
    raise NotFoundError(f"no account {value}", reason="ACCOUNT_NOT_FOUND", metadata={"id": value})


def register_test_service(server: Any) -> None:
    handler = grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "Raise": grpc.unary_unary_rpc_method_handler(raise_kind),
            "RaiseCamel": grpc.unary_unary_rpc_method_handler(raise_camel_reason),
            "Crash": grpc.unary_unary_rpc_method_handler(crash),
            "Abort": grpc.unary_unary_rpc_method_handler(abort_itself),
            "Echo": grpc.unary_unary_rpc_method_handler(echo),
            "EchoThenFail": grpc.unary_stream_rpc_method_handler(echo_then_fail),
            "WriteThenCrash": grpc.unary_stream_rpc_method_handler(write_then_crash),
            "Place": grpc.unary_unary_rpc_method_handler(
                place, request_deserializer=PlaceOrderRequest.FromString
            ),
            "RaiseLong": grpc.unary_unary_rpc_method_handler(raise_long),
        },
    )
    server.add_generic_rpc_handlers((handler,))


@pytest.fixture
async def server() -> AsyncIterator[GrpcServer]:
    """The kit over mutual TLS, every caller authenticated (no policy: the kit's own test
    service is in none)."""
    grpc_server = GrpcServer(
        service_names=[SERVICE, OTHER_SERVICE],
        registrations=[register_test_service],
        gate=Gate(None),
        tls=TlsFiles.in_directory(pki.pki_dir(), "matching"),
    )
    await grpc_server.start()
    yield grpc_server
    await grpc_server.stop(grace=1)


@pytest.fixture
async def port(server: GrpcServer) -> int:
    return server.port


@pytest.fixture
async def channel(port: int) -> AsyncIterator[grpc.aio.Channel]:
    async with pki.channel(f"127.0.0.1:{port}", pki.operator()) as aio_channel:
        yield aio_channel


async def unary(
    channel: grpc.aio.Channel, method: str, request: bytes = b"", metadata: Any = ()
) -> bytes:
    call = channel.unary_unary(f"/{SERVICE}/{method}")
    response: bytes = await call(request, metadata=metadata, timeout=5)
    return response


async def failed_unary(channel: grpc.aio.Channel, method: str, **kwargs: Any) -> grpc.RpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await unary(channel, method, **kwargs)
    return raised.value


async def read_until_error(call: Any) -> tuple[list[bytes], grpc.aio.AioRpcError]:
    received: list[bytes] = []
    try:
        async for response in call:
            received.append(response)
    except grpc.aio.AioRpcError as error:
        return received, error
    raise AssertionError(f"the stream ended without an error after {received!r}")


# --- error mapping ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("InvalidArgumentError", grpc.StatusCode.INVALID_ARGUMENT),
        ("NotFoundError", grpc.StatusCode.NOT_FOUND),
        ("AlreadyExistsError", grpc.StatusCode.ALREADY_EXISTS),
        ("FailedPreconditionError", grpc.StatusCode.FAILED_PRECONDITION),
        ("ConflictError", grpc.StatusCode.ABORTED),
        ("UnavailableError", grpc.StatusCode.UNAVAILABLE),
        ("CqxError", grpc.StatusCode.FAILED_PRECONDITION),
    ],
)
async def test_each_error_kind_leaves_as_its_status_with_error_info(
    channel: grpc.aio.Channel, kind: str, code: grpc.StatusCode
) -> None:
    error = await failed_unary(channel, "Raise", request=kind.encode())

    assert error.code() == code
    assert error.details() == "price 1200 outside band [900, 1100]"
    info = error_info(error)
    assert info is not None
    assert info.reason == "PRICE_OUTSIDE_BAND"
    assert info.domain == "cqx"
    assert dict(info.metadata) == {"instrument": "CEA-2025", "band_high": "1100"}


async def test_reason_is_sent_in_upper_snake(channel: grpc.aio.Channel) -> None:
    info = error_info(await failed_unary(channel, "RaiseCamel"))

    assert info is not None
    assert info.reason == "PRICE_OUTSIDE_BAND"


async def test_crash_is_internal_naming_the_sent_correlation_id_and_logged_under_it(
    channel: grpc.aio.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="cqx.grpc")

    error = await failed_unary(channel, "Crash", metadata=call_metadata(correlation_id="corr-7"))

    assert error.code() == grpc.StatusCode.INTERNAL
    assert error.details() == "internal error; correlation id corr-7"
    assert error_info(error) is None
    [record] = [r for r in caplog.records if r.name == "cqx.grpc"]
    assert "corr-7" in record.getMessage()
    assert record.exc_info is not None
    assert SECRET in str(record.exc_info[1])


async def test_crash_without_ids_gets_a_fresh_correlation_id_and_no_traceback(
    channel: grpc.aio.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="cqx.grpc")

    error = await failed_unary(channel, "Crash")

    details = error.details()
    match = re.fullmatch(r"internal error; correlation id (\S+)", details)
    assert match is not None, details
    correlation_id = str(uuid.UUID(match.group(1)))
    for leak in ("RuntimeError", "Traceback", "hunter2", ".py"):
        assert leak not in details
        assert leak not in str(error.debug_error_string() or "")
    [record] = [r for r in caplog.records if r.name == "cqx.grpc"]
    assert correlation_id in record.getMessage()
    assert getattr(record, "correlation_id", None) == correlation_id


async def test_a_handler_that_aborts_itself_keeps_its_status(channel: grpc.aio.Channel) -> None:
    error = await failed_unary(channel, "Abort")

    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error.details() == "not yours"


async def test_streamed_responses_then_a_mapped_error(channel: grpc.aio.Channel) -> None:
    call = channel.unary_stream(f"/{SERVICE}/EchoThenFail")(
        b"", metadata=call_metadata(request_id="req-s"), timeout=5
    )
    received, error = await read_until_error(call)

    assert json.loads(received[0]) == {
        "request_id": "req-s", "correlation_id": "req-s", "actor": "operator:operator"
    }  # fmt: skip
    assert received[1:] == [b"second"]
    assert error.code() == grpc.StatusCode.NOT_FOUND
    info = error_info(error)
    assert info is not None
    assert (info.reason, dict(info.metadata)) == ("ORDER_NOT_FOUND", {"order_id": "o-1"})


async def test_a_written_stream_that_crashes_is_internal(channel: grpc.aio.Channel) -> None:
    call = channel.unary_stream(f"/{SERVICE}/WriteThenCrash")(b"", timeout=5)
    received, error = await read_until_error(call)

    assert received == [b"first"]
    assert error.code() == grpc.StatusCode.INTERNAL
    assert SECRET not in error.details()


# --- requests checked at the edge -------------------------------------------------------------


def valid_order(**fields: Any) -> PlaceOrderRequest:
    order = PlaceOrderRequest(
        request_id=str(uuid.uuid4()), account_id="KEU-0001", instrument="CEA-2025", side=1,
        quantity_tonnes=100, price_fen=6_000,
    )  # fmt: skip
    for name, value in fields.items():
        setattr(order, name, value)
    return order


async def test_a_request_within_its_bounds_reaches_the_handler(channel: grpc.aio.Channel) -> None:
    order = valid_order()

    assert await unary(channel, "Place", request=order.SerializeToString()) == b"KEU-0001"
    assert order.request_id in REACHED


async def test_bytes_that_are_not_a_message_are_invalid_argument_not_unknown(
    channel: grpc.aio.Channel,
) -> None:
    before = len(REACHED)
    error = await failed_unary(channel, "Place", request=b"\xff\xff\xff\xff")

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(error)
    assert info is not None
    assert info.reason == "REQUEST_UNDECODABLE"
    assert len(REACHED) == before


@pytest.mark.parametrize(
    ("fields", "reason", "allowed"),
    [
        ({"quantity_tonnes": 2**63 - 1}, "VALUE_OUT_OF_RANGE",
         {"field": "quantity_tonnes", "min": "0", "max": "10000000000"}),
        ({"side": 0}, "ENUM_VALUE_REQUIRED", {"field": "side", "allowed": "SIDE_BUY,SIDE_SELL"}),
        ({"order_type": 99}, "ENUM_VALUE_UNKNOWN", {"field": "order_type", "allowed":
         "ORDER_TYPE_UNSPECIFIED,ORDER_TYPE_LIMIT,ORDER_TYPE_MARKET_TO_LIMIT"}),
        ({"account_id": "a" * 10_240}, "FIELD_TOO_LONG",
         {"field": "account_id", "max_length": "128", "length": "10240"}),
    ],
)  # fmt: skip
async def test_a_value_outside_its_bounds_never_reaches_the_handler(
    channel: grpc.aio.Channel, fields: dict[str, Any], reason: str, allowed: dict[str, str]
) -> None:
    before = len(REACHED)
    error = await failed_unary(channel, "Place", request=valid_order(**fields).SerializeToString())

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(error)
    assert info is not None
    assert (info.reason, dict(info.metadata)) == (reason, allowed)
    assert len(REACHED) == before


async def test_what_a_refusal_echoes_is_capped_so_the_client_keeps_the_reason(
    channel: grpc.aio.Channel,
) -> None:
    error = await failed_unary(channel, "RaiseLong")

    assert error.code() == grpc.StatusCode.NOT_FOUND  # not RESOURCE_EXHAUSTED on the client
    assert len(error.details()) == 256
    assert error.details().endswith("…")
    info = error_info(error)
    assert info is not None
    assert info.reason == "ACCOUNT_NOT_FOUND"
    assert len(info.metadata["id"]) == 256


async def test_a_call_id_longer_than_an_identifier_is_refused_not_echoed(
    channel: grpc.aio.Channel,
) -> None:
    error = await failed_unary(channel, "Crash", metadata=call_metadata(correlation_id="c" * 4_000))

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(error)
    assert info is not None
    assert (info.reason, info.metadata["field"]) == ("FIELD_TOO_LONG", "x-correlation-id")
    assert "c" * 200 not in error.details()


# --- call metadata ------------------------------------------------------------------------


async def test_call_ids_sent_as_metadata_arrive_in_the_handler(channel: grpc.aio.Channel) -> None:
    metadata = (
        *call_metadata(request_id="req-1", correlation_id="corr-1", causation_id="evt-3"),
        ("x-actor", "trader-9"),  # a claim: the actor is whoever the certificate names
    )

    echoed = json.loads(await unary(channel, "Echo", metadata=metadata))

    assert echoed == {
        "request_id": "req-1",
        "correlation_id": "corr-1",
        "causation_id": "evt-3",
        "actor": "operator:operator",
    }


async def test_missing_correlation_id_defaults_to_the_request_id(
    channel: grpc.aio.Channel,
) -> None:
    echoed = json.loads(await unary(channel, "Echo", metadata=call_metadata(request_id="req-2")))

    assert echoed == {
        "request_id": "req-2",
        "correlation_id": "req-2",
        "actor": "operator:operator",
    }


async def test_without_ids_each_call_gets_a_fresh_correlation_id(
    channel: grpc.aio.Channel,
) -> None:
    first = json.loads(await unary(channel, "Echo"))
    second = json.loads(await unary(channel, "Echo"))

    assert set(first) == {"correlation_id", "actor"}
    assert first["correlation_id"] != second["correlation_id"]
    uuid.UUID(first["correlation_id"])


def test_current_call_outside_a_call_is_an_error() -> None:
    with pytest.raises(LookupError):
        current_call()


# --- health and reflection ----------------------------------------------------------------


async def health_status(channel: grpc.aio.Channel, service: str) -> str:
    stub = health_pb2_grpc.HealthStub(channel)
    response = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))


async def test_health_is_not_serving_until_each_service_is_set_serving(
    server: GrpcServer, channel: grpc.aio.Channel
) -> None:
    before = [await health_status(channel, name) for name in (SERVICE, OTHER_SERVICE, "")]
    await server.set_serving(SERVICE)
    partly = [await health_status(channel, name) for name in (SERVICE, OTHER_SERVICE, "")]
    await server.set_serving(OTHER_SERVICE)
    fully = [await health_status(channel, name) for name in (SERVICE, OTHER_SERVICE, "")]
    await server.set_not_serving(OTHER_SERVICE)
    again = [await health_status(channel, name) for name in (SERVICE, OTHER_SERVICE, "")]

    assert before == ["NOT_SERVING", "NOT_SERVING", "NOT_SERVING"]
    assert partly == ["SERVING", "NOT_SERVING", "NOT_SERVING"]
    assert fully == ["SERVING", "SERVING", "SERVING"]
    assert again == ["SERVING", "NOT_SERVING", "NOT_SERVING"]


async def test_set_serving_refuses_a_service_the_server_does_not_offer(
    server: GrpcServer,
) -> None:
    with pytest.raises(ValueError, match=r"cqx\.test\.v1\.Typo"):
        await server.set_serving("cqx.test.v1.Typo")


async def test_reflection_lists_the_services(channel: grpc.aio.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    responses = [response async for response in stub.ServerReflectionInfo(iter([request]))]

    names = {service.name for service in responses[0].list_services_response.service}
    assert names == {SERVICE, OTHER_SERVICE, HEALTH_SERVICE_NAME, REFLECTION_SERVICE_NAME}


# --- the probe ----------------------------------------------------------------------------


def subprocess_env() -> dict[str, str]:
    paths = [str(REPO_ROOT / "libs"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


async def run_probe(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cqx_grpc.probe",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=subprocess_env(),
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def as_operator() -> tuple[str, ...]:
    pki.operator()
    return ("--as", "operator", "--pki", str(pki.pki_dir()))


async def test_probe_exits_0_only_when_serving(server: GrpcServer, port: int) -> None:
    not_serving = await run_probe(f"127.0.0.1:{port}", SERVICE, *as_operator())
    await server.set_serving(SERVICE)
    serving = await run_probe(f"127.0.0.1:{port}", SERVICE, *as_operator())
    whole_server = await run_probe(f"127.0.0.1:{port}", *as_operator())
    without_credential = await run_probe(f"127.0.0.1:{port}", SERVICE, "--as", "nobody")

    assert not_serving[0] == 1
    assert "NOT_SERVING" in not_serving[2]
    assert len(not_serving[2].strip().splitlines()) == 1
    assert serving[:2] == (0, "SERVING\n")
    assert whole_server[0] == 1  # OTHER_SERVICE is not serving yet
    assert without_credential[0] == 1
    assert "no credential nobody" in without_credential[2]


async def test_probe_exits_1_against_a_closed_port() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]

    returncode, _, stderr = await run_probe(f"127.0.0.1:{closed_port}", *as_operator())

    assert returncode == 1
    assert "UNAVAILABLE" in stderr
    assert len(stderr.strip().splitlines()) == 1


# --- graceful shutdown on SIGTERM ---------------------------------------------------------

SERVER_SCRIPT = """
import asyncio, sys
import grpc
from cqx_grpc import GrpcServer

async def slow(request, context):
    await asyncio.sleep(float(request.decode()))
    return b"done"

async def main():
    handler = grpc.method_handlers_generic_handler(
        "cqx.test.v1.TestService", {"Slow": grpc.unary_unary_rpc_method_handler(slow)}
    )
    server = GrpcServer(
        service_names=["cqx.test.v1.TestService"],
        registrations=[lambda s: s.add_generic_rpc_handlers((handler,))],
    )
    port = await server.start()
    await server.set_serving()
    # Printed once serve_until_signal has installed its signal handlers.
    asyncio.get_running_loop().call_soon(lambda: print(port, flush=True))
    await server.serve_until_signal(grace=float(sys.argv[1]))
    print("stopped", flush=True)

asyncio.run(main())
"""


@pytest.mark.slow
async def test_sigterm_reports_not_serving_and_lets_calls_in_flight_finish() -> None:
    grace = 5.0
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SERVER_SCRIPT,
        str(grace),
        stdout=asyncio.subprocess.PIPE,
        env=subprocess_env(),
    )
    try:
        assert process.stdout is not None
        port = int(await asyncio.wait_for(process.stdout.readline(), timeout=20))
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            watch = health_pb2_grpc.HealthStub(channel).Watch(
                health_pb2.HealthCheckRequest(service=SERVICE)
            )
            first = await asyncio.wait_for(watch.read(), timeout=5)
            in_flight = asyncio.create_task(unary(channel, "Slow", request=b"1.0"))
            await asyncio.sleep(0.3)  # let the slow call reach the handler

            process.send_signal(signal.SIGTERM)
            signalled_at = time.monotonic()
            after_signal = await asyncio.wait_for(watch.read(), timeout=5)
            watch.cancel()  # an open watch would hold the server for the whole grace period
            response = await asyncio.wait_for(in_flight, timeout=grace)
        returncode = await asyncio.wait_for(process.wait(), timeout=grace + 5)
        elapsed = time.monotonic() - signalled_at
        remaining = (await process.stdout.read()).decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert first.status == health_pb2.HealthCheckResponse.SERVING
    assert after_signal.status == health_pb2.HealthCheckResponse.NOT_SERVING
    assert response == b"done"
    assert returncode == 0
    assert remaining == "stopped\n"
    assert elapsed < grace
