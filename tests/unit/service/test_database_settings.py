"""Which database a service uses, as whom, and where its passwords come from: the
administrator's DSN (migrate at start) or the service role's alone (the migration step ran
apart); passwords as values or as files (compose secrets), never both."""

from __future__ import annotations

from pathlib import Path

import pytest

from cqx_kernel.errors import InvalidArgumentError
from cqx_service import RuntimeSettings
from cqx_service.main import serve

KAFKA = {"CQX_KAFKA_BOOTSTRAP": "kafka:9092", "CQX_KAFKA_PASSWORD": "k"}
ADMIN = "postgresql://postgres@db:5432/cqx"
ROLE = "postgresql://cqx_registry@db:5432/cqx"


def settings(**env: str) -> RuntimeSettings:
    return RuntimeSettings.from_env("registry", 50051, {**KAFKA, **env})


def secret_file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_the_administrators_dsn_migrates_and_derives_the_roles() -> None:
    given = settings(CQX_DATABASE_URL=ADMIN, CQX_SERVICE_DB_PASSWORD="p@ss/word")
    assert given.database_url == ADMIN
    assert given.service_database_url == "postgresql://cqx_registry:p%40ss%2Fword@db:5432/cqx"
    assert given.role_password == "p@ss/word"


def test_the_roles_dsn_alone_means_no_migrating(tmp_path: Path) -> None:
    password = secret_file(tmp_path, "registry_db_password", "s3cret:@\n")
    given = settings(CQX_REGISTRY_DATABASE_URL=ROLE, CQX_SERVICE_DB_PASSWORD_FILE=password)
    assert given.database_url is None
    assert given.service_database_url == "postgresql://cqx_registry:s3cret%3A%40@db:5432/cqx"
    assert "s3cret" not in repr(given)


def test_the_administrators_password_can_come_from_a_file(tmp_path: Path) -> None:
    password = secret_file(tmp_path, "postgres_password", "admin-secret\n")
    given = settings(CQX_DATABASE_URL=ADMIN, CQX_DATABASE_PASSWORD_FILE=password)
    assert given.database_url == "postgresql://postgres:admin-secret@db:5432/cqx"
    assert given.service_database_url == "postgresql://cqx_registry@db:5432/cqx"


def test_no_database_at_all_names_both_settings() -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        settings()
    assert "CQX_DATABASE_URL" in refused.value.message
    assert "CQX_REGISTRY_DATABASE_URL" in refused.value.message


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"CQX_SERVICE_DB_PASSWORD": "a", "CQX_SERVICE_DB_PASSWORD_FILE": "/x"}, "both"),
        ({"CQX_SERVICE_DB_PASSWORD_FILE": "/nonexistent/secret"}, "cannot read"),
        ({"CQX_SERVICE_DB_PASSWORD_FILE": "{empty}"}, "is empty"),
        ({"CQX_REGISTRY_DATABASE_URL": "postgresql://cqx_registry:old@db/cqx"}, "once"),
        ({"CQX_REGISTRY_DATABASE_URL": "postgresql://db/cqx"}, "user@host"),
    ],
)
def test_a_password_given_twice_or_unreadable_is_a_clear_error(
    tmp_path: Path, env: dict[str, str], complaint: str
) -> None:
    empty = secret_file(tmp_path, "empty", "")
    env = {k: v.replace("{empty}", empty) for k, v in env.items()}
    password = {} if any("PASSWORD" in k for k in env) else {"CQX_SERVICE_DB_PASSWORD": "p"}
    with pytest.raises(InvalidArgumentError, match=complaint) as refused:
        settings(**{"CQX_REGISTRY_DATABASE_URL": ROLE, **password, **env})
    assert "CQX_" in refused.value.message


def test_the_entry_point_takes_migrate_or_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    def configure() -> tuple[RuntimeSettings, object]:
        raise AssertionError("not reached")

    assert serve("registry", configure, ["drop-everything"]) == 2  # type: ignore[arg-type]
    assert "usage: python -m cqx_registry [migrate]" in capsys.readouterr().err
