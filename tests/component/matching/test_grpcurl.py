"""A third-party client with the same files: grpcurl (make tools) lists the exchange's services
and reads the book over mutual TLS as a member; without a certificate it gets nowhere."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cqx_identity import TlsFiles
from cqx_kernel.clock import FixedClock
from cqx_service import RuntimeSettings
from tests.component.matching.support import MONDAY_MORNING, Matching, matching_service
from tests.support import pki

GRPCURL = Path(__file__).resolve().parents[3] / ".run" / "tools" / "grpcurl"
CEA = "CEA-2024"


@pytest.fixture(scope="module")
async def service(settings: RuntimeSettings) -> AsyncIterator[Matching]:
    async with matching_service(settings, FixedClock(MONDAY_MORNING)) as running:
        await running.open_day(CEA)
        yield running


async def _grpcurl(*args: str) -> tuple[int, str, str]:
    assert GRPCURL.exists(), "grpcurl is missing: `make tools` builds it"
    process = await asyncio.create_subprocess_exec(
        str(GRPCURL), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


def _tls(files: TlsFiles) -> list[str]:
    return ["-cacert", str(files.ca), "-cert", str(files.cert), "-key", str(files.key)]


async def test_grpcurl_calls_as_a_member_with_the_same_files(service: Matching) -> None:
    address = str(service.stub._address)
    member = pki.member("grpcurl-1")
    code, out, err = await _grpcurl(*_tls(member), address, "list")
    assert code == 0, err
    assert "cqx.matching.v1.MatchingService" in out.split()
    request = json.dumps({"instrument": CEA})
    code, out, err = await _grpcurl(
        *_tls(member), "-d", request, address, "cqx.matching.v1.MatchingService/GetOrderBook"
    )
    assert code == 0, err
    assert json.loads(out)["instrument"] == CEA
    code, out, err = await _grpcurl(
        *_tls(member), "-d", json.dumps({"account_id": "someone-else"}),
        address, "cqx.matching.v1.MatchingService/GetRiskBalance",
    )  # fmt: skip
    assert code != 0
    assert "PermissionDenied" in err
    assert "NOT_YOUR_ACCOUNT" in err


async def test_grpcurl_without_a_certificate_gets_nowhere(service: Matching) -> None:
    address = str(service.stub._address)
    files = pki.operator()
    code, out, _ = await _grpcurl("-cacert", str(files.ca), address, "list")
    assert (code, out) != (0, "")
    assert "MatchingService" not in out
    code, out, _ = await _grpcurl("-plaintext", address, "list")
    assert code != 0
    assert "MatchingService" not in out
