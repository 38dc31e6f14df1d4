"""The operators' compose file: accepted by docker compose (where its client is installed) with
the secrets supplied from outside, and wired the way DESIGN.md says on every machine: official
images, one image for the four services, health-gated start, no secret in the file, scram
password authentication, migrations as the administrator, each service its own role only."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cqx_infra import project_root
from cqx_local import SERVICES

DEPLOY = project_root() / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
ADMIN_ONLY = ("CQX_DATABASE_URL", "CQX_DATABASE_PASSWORD", "CQX_DATABASE_PASSWORD_FILE")


def compose_command() -> list[str] | None:
    """``docker compose`` (the plugin) or ``docker-compose``, whichever this machine has."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    """What an operator supplies from outside: a password file per database role and a PKI
    folder per service, each holding a value found nowhere else."""
    folder = tmp_path / "secrets"
    folder.mkdir()
    (folder / "postgres_password").write_text(f"admin-{secrets.token_hex(8)}\n")
    (folder / "kafka_admin_password").write_text(f"kafka-admin-{secrets.token_hex(8)}\n")
    for service in SERVICES:
        (folder / f"{service}_db_password").write_text(f"{service}-{secrets.token_hex(8)}\n")
        (folder / f"kafka_{service}_password").write_text(f"k-{service}-{secrets.token_hex(8)}\n")
        pki = folder / "pki" / service
        pki.mkdir(parents=True)
        for name in ("ca.crt", "revoked.crl", f"{service}.crt", f"{service}.key"):
            (pki / name).write_text(f"{name}-{secrets.token_hex(8)}\n")
    return folder


def compose_config(secrets_dir: Path | None, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``docker compose config`` with CQX_SECRETS_DIR set to ``secrets_dir`` (or unset), and
    an empty env file in place of an operator's deploy/.env."""
    command = compose_command()
    if command is None:
        pytest.skip("no docker compose client on this machine")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CQX_")}
    if secrets_dir is not None:
        environment["CQX_SECRETS_DIR"] = str(secrets_dir)
    no_env_file = tmp_path / "empty.env"
    no_env_file.write_text("")
    return subprocess.run(
        [*command, "--env-file", str(no_env_file), "-f", str(COMPOSE), "config"],
        capture_output=True, text=True, check=False, env=environment, cwd=DEPLOY,
    )  # fmt: skip


def the_file() -> dict[str, Any]:
    """compose.yaml as YAML reads it (anchors and merge keys resolved)."""
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def test_docker_compose_accepts_the_file_with_secrets_from_outside(
    secrets_dir: Path, tmp_path: Path
) -> None:
    result = compose_config(secrets_dir, tmp_path)
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    for path in secrets_dir.rglob("*"):
        if path.is_file():  # the files are mounted, never read into the configuration
            assert path.read_text().strip() not in result.stdout, path.name
    assert rendered["secrets"]["postgres_password"]["file"] == str(
        secrets_dir / "postgres_password"
    )
    for service in SERVICES:
        volumes = rendered["services"][service]["volumes"]
        assert any(str(secrets_dir / "pki" / service) in str(v) for v in volumes), volumes


def test_without_the_secrets_folder_compose_refuses_and_says_what_to_set(tmp_path: Path) -> None:
    result = compose_config(None, tmp_path)
    assert result.returncode != 0
    assert "CQX_SECRETS_DIR" in result.stderr


def test_no_password_token_or_key_is_written_in_the_file() -> None:
    text = COMPOSE.read_text()
    assert "CQX_OPERATOR_TOKEN" not in text
    assert not re.search(r"postgresql://[^@\s/]*:[^@\s/]*@", text), "a DSN with a password"
    for key, value in re.findall(r"^\s*([A-Z_]*(?:PASSWORD|SECRET|TOKEN|KEY)[A-Z_]*):\s*(.+)$",
                                 text, re.MULTILINE):  # fmt: skip
        assert key.endswith("_FILE"), f"{key}: {value} (a secret must come from a file)"
        assert value.startswith("/run/secrets/"), f"{key}: {value}"


def test_postgres_asks_every_connection_for_a_scram_password() -> None:
    postgres = the_file()["services"]["postgres"]
    environment = postgres["environment"]
    assert "--auth-host=scram-sha-256" in environment["POSTGRES_INITDB_ARGS"]
    assert environment["POSTGRES_HOST_AUTH_METHOD"] == "scram-sha-256"
    assert environment["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert "POSTGRES_PASSWORD" not in environment
    assert postgres["secrets"] == ["postgres_password"]


def test_the_setup_job_migrates_as_the_administrator() -> None:
    setup = the_file()["services"]["setup"]
    assert setup["environment"]["CQX_DATABASE_URL"] == "postgresql://postgres@postgres:5432/cqx"
    assert setup["environment"]["CQX_DATABASE_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert set(setup["secrets"]) == {
        "postgres_password", "kafka_admin_password",
        *(f"{s}_db_password" for s in SERVICES), *(f"kafka_{s}_password" for s in SERVICES),
    }  # fmt: skip
    assert setup["environment"]["CQX_KAFKA_ADMIN_PASSWORD_FILE"] == (
        "/run/secrets/kafka_admin_password"
    )
    script = " ".join(setup["command"])
    assert "python -m cqx_$$s migrate" in script
    assert "CQX_SERVICE_DB_PASSWORD_FILE=/run/secrets/$${s}_db_password" in script


def test_each_service_gets_its_own_role_its_own_password_and_its_own_pki_only() -> None:
    services = the_file()["services"]
    for service in SERVICES:
        spec = services[service]
        environment = spec["environment"]
        assert not set(ADMIN_ONLY) & set(environment), f"{service} has the administrator's DSN"
        assert environment[f"CQX_{service.upper()}_DATABASE_URL"] == (
            f"postgresql://cqx_{service}@postgres:5432/cqx"
        )
        assert environment["CQX_SERVICE_DB_PASSWORD_FILE"] == "/run/secrets/db_password"
        assert spec["secrets"] == [
            {"source": f"{service}_db_password", "target": "db_password"},
            {"source": f"kafka_{service}_password", "target": "kafka_password"},
        ]
        assert environment["CQX_KAFKA_PASSWORD_FILE"] == "/run/secrets/kafka_password"
        assert not any("ADMIN" in key for key in environment), f"{service} has Kafka's admin"
        assert environment["CQX_PKI_DIR"] == "/run/cqx/pki"
        [pki] = spec["volumes"]
        assert pki.endswith(f"/pki/{service}:/run/cqx/pki:ro")
        others = [s for s in SERVICES if s != service]
        assert not any(f"cqx_{other}" in str(spec) for other in others)


def test_every_service_is_health_gated_and_built_from_one_image() -> None:
    text = COMPOSE.read_text()
    assert "image: postgres:16" in text
    assert "image: apache/kafka:3.9" in text
    for service, port in SERVICES.items():
        assert f'command: ["python", "-m", "cqx_{service}"]' in text
        assert f'"python", "-m", "cqx_grpc.probe", "127.0.0.1:{port}"' in text
    # the four services and the setup job share the one build (the x-service anchor)
    assert text.count("<<: *service\n") == 5
    services = the_file()["services"]
    for service in SERVICES:
        assert services[service]["image"] == "cqx:local"
        assert services[service]["depends_on"] == {
            "setup": {"condition": "service_completed_successfully"}
        }
    assert text.count("condition: service_healthy") == 2


def test_the_env_example_names_where_the_secrets_are_and_holds_none() -> None:
    example = (DEPLOY / ".env.example").read_text()
    assert re.search(r"^CQX_SECRETS_DIR=/\S+$", example, re.MULTILINE)
    assert "PASSWORD=" not in example


def test_the_broker_asks_everyone_for_credentials_and_the_probes_show_theirs() -> None:
    services = the_file()["services"]
    broker = " ".join(services["kafka"]["command"])
    assert "listener.security.protocol.map=CLIENT:SASL_PLAINTEXT" in broker
    assert "allow.everyone.if.no.acl.found=false" in broker
    assert "StandardAuthorizer" in broker
    assert "PLAINTEXT://" not in broker
    for service in SERVICES:
        probe = services[service]["healthcheck"]["test"]
        assert probe[-2:] == ["--as", service], f"{service} probes without its credential"
