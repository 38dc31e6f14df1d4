"""Who a service is on the bus, read once from the environment: its own Kafka user, and the
broker's administrator when it provisions itself. Without either, it does not start."""

from __future__ import annotations

from pathlib import Path

import pytest

from cqx_bus.access import derived_password
from cqx_kernel.errors import InvalidArgumentError
from cqx_service import RuntimeSettings

BASE = {
    "CQX_DATABASE_URL": "postgresql://postgres@127.0.0.1/postgres",
    "CQX_KAFKA_BOOTSTRAP": "k:9092",
    "CQX_NAMESPACE": "demo_",
}


def test_the_user_is_named_after_the_schema_and_its_password_read_from_a_file(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "kafka_matching"
    secret.write_text("s3cret\n")
    settings = RuntimeSettings.from_env(
        "matching", 0, {**BASE, "CQX_KAFKA_PASSWORD_FILE": str(secret)}
    )
    assert settings.kafka.credentials.username == "demo_matching"
    assert settings.kafka.credentials.password == "s3cret"
    assert settings.kafka.client_options()["security_protocol"] == "SASL_PLAINTEXT"
    assert settings.kafka_admin is None
    assert "s3cret" not in repr(settings)


def test_with_the_administrator_and_no_password_the_service_derives_its_own() -> None:
    admin = {"CQX_KAFKA_ADMIN_USERNAME": "admin", "CQX_KAFKA_ADMIN_PASSWORD": "root-pw"}
    settings = RuntimeSettings.from_env("registry", 0, {**BASE, **admin})
    assert settings.kafka_admin is not None
    assert settings.kafka_admin.credentials.username == "admin"
    own = settings.kafka.credentials
    assert own.username == "demo_registry"
    assert own.password == derived_password(settings.kafka_admin.credentials, "demo_registry")
    assert own.password != "root-pw"
    other = RuntimeSettings.from_env("matching", 0, {**BASE, **admin}).kafka.credentials
    assert other.password != own.password


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        ({}, "CQX_KAFKA_PASSWORD"),
        ({"CQX_KAFKA_PASSWORD": "a", "CQX_KAFKA_PASSWORD_FILE": "/x"}, "not both"),
        ({"CQX_KAFKA_PASSWORD_FILE": "/nonexistent/secret"}, "CQX_KAFKA_PASSWORD_FILE"),
        ({"CQX_KAFKA_PASSWORD": "a", "CQX_KAFKA_USERNAME": "Bad Name"}, "not a Kafka user"),
        ({"CQX_KAFKA_ADMIN_PASSWORD": "a"}, "CQX_KAFKA_ADMIN_USERNAME"),
    ],
)
def test_a_missing_or_malformed_identity_is_a_clear_error(
    extra: dict[str, str], complaint: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=complaint):
        RuntimeSettings.from_env("settlement", 0, {**BASE, **extra})
