"""Where a service serves its metrics: CQX_<SERVICE>_METRICS_PORT, else its port plus 1000."""

from __future__ import annotations

import pytest

from cqx_kernel.errors import InvalidArgumentError
from cqx_service import RuntimeSettings

BASE = {
    "CQX_DATABASE_URL": "postgresql://postgres@127.0.0.1/postgres",
    "CQX_KAFKA_BOOTSTRAP": "k:9092",
    "CQX_PKI_DIR": "/etc/cqx/pki",
    "CQX_KAFKA_PASSWORD": "pw",
}


def test_the_metrics_port_is_the_grpc_port_plus_1000_by_default() -> None:
    assert RuntimeSettings.from_env("registry", 50051, BASE).metrics_port == 51051
    moved = RuntimeSettings.from_env("registry", 50051, {**BASE, "CQX_REGISTRY_PORT": "6000"})
    assert moved.metrics_port == 7000


def test_a_free_grpc_port_gets_a_free_metrics_port_and_the_setting_wins() -> None:
    assert RuntimeSettings.from_env("matching", 0, BASE).metrics_port == 0
    chosen = RuntimeSettings.from_env(
        "matching", 50053, {**BASE, "CQX_MATCHING_METRICS_PORT": "9100"}
    )
    assert chosen.metrics_port == 9100


def test_a_metrics_port_that_is_not_a_port_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="CQX_MATCHING_METRICS_PORT"):
        RuntimeSettings.from_env("matching", 50053, {**BASE, "CQX_MATCHING_METRICS_PORT": "http"})


def test_a_service_without_a_credential_directory_does_not_start() -> None:
    without = {k: v for k, v in BASE.items() if k != "CQX_PKI_DIR"}
    settings = RuntimeSettings.from_env("registry", 50051, without)  # enough to migrate
    with pytest.raises(InvalidArgumentError, match="CQX_PKI_DIR is not set"):
        _ = settings.tls
