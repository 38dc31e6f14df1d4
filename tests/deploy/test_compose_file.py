"""The operators' compose file: accepted by docker compose where its client is installed, and
wired the way DESIGN.md says (official images, one image for the four services, health-gated
start) on every machine."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from cqx_infra import project_root
from cqx_local import SERVICES

COMPOSE = project_root() / "deploy" / "compose.yaml"


def compose_command() -> list[str] | None:
    """``docker compose`` (the plugin) or ``docker-compose``, whichever this machine has."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_accepts_the_file() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("no docker compose client on this machine")
    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True, text=True, check=False,
        env={**os.environ, "CQX_OPERATOR_TOKEN": "compose-test"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_the_services_refuse_to_start_without_an_operators_token() -> None:
    assert "CQX_OPERATOR_TOKEN: ${CQX_OPERATOR_TOKEN:?" in COMPOSE.read_text()
    command = compose_command()
    if command is None:
        pytest.skip("no docker compose client on this machine")
    environment = {k: v for k, v in os.environ.items() if k != "CQX_OPERATOR_TOKEN"}
    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True, text=True, check=False, env=environment,
    )  # fmt: skip
    assert result.returncode != 0
    assert "CQX_OPERATOR_TOKEN" in result.stderr


def test_every_service_is_health_gated_and_built_from_one_image() -> None:
    text = COMPOSE.read_text()
    assert "image: postgres:16" in text
    assert "image: apache/kafka:3.9" in text
    for service, port in SERVICES.items():
        assert f'command: ["python", "-m", "cqx_{service}"]' in text
        assert f'"python", "-m", "cqx_grpc.probe", "127.0.0.1:{port}"' in text
    # the four services share the one build (the x-service anchor) and wait for setup
    assert text.count("<<: *service\n") == 5
    assert "condition: service_completed_successfully" in text
    assert text.count("condition: service_healthy") == 2
