"""End-to-end fixtures: the four services as real processes on the session's infrastructure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cqx_infra import Endpoints, project_root
from cqx_local import LocalSystem
from tests.support import pki


@pytest.fixture
def system(infra_endpoints: Endpoints, unique_name: str) -> Iterator[LocalSystem]:
    """registry, allocation, matching and settlement in their own namespace, on free ports,
    serving mutual TLS with the tests' authority (:mod:`tests.support.pki`)."""
    run_dir = project_root() / ".run" / "e2e" / unique_name
    local = LocalSystem(
        infra_endpoints,
        run_dir,
        namespace=f"{unique_name}_",
        extra_env={
            "CQX_GRACE_SECONDS": "2",
            "CQX_MATCHING_SESSIONS": "around-the-clock",
            "CQX_FOUR_EYES": "off",  # one operator does the day (four eyes: component tests)
        },
        pki_dir=pki.pki_dir(),
    )
    local.start()
    try:
        yield local
    finally:
        local.stop()
