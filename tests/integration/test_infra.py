"""The launcher gives real, working services and leaves nothing behind.

Uses the session's services where it can; the tests that start their own native
PostgreSQL/Kafka are skipped on machines without the server binaries or Java.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from cqx_bus import KafkaAccess
from cqx_infra import Endpoints, InfraStartError, Infrastructure, project_root
from cqx_infra.kafka_jars import KafkaJars
from cqx_infra.layout import RunLayout
from cqx_infra.ports import LOOPBACK, port_accepts
from cqx_infra.postgres import NativePostgres, find_postgres_bin_dir
from cqx_infra.probes import kafka_answers, postgres_answers
from cqx_infra.processes import pid_alive


def _native_available() -> bool:
    try:
        find_postgres_bin_dir()
    except InfraStartError:
        return False
    return shutil.which("java") is not None and (
        KafkaJars().is_fetched() or shutil.which("mvn") is not None
    )


native_only = pytest.mark.skipif(not _native_available(), reason="no PostgreSQL/Java here")


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1].split("/", 1)[0])


def _processes_mentioning(text: str) -> list[int]:
    """Pids of live processes whose command line contains ``text``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return [pid for pid in found if pid_alive(pid)]


async def test_postgres_is_version_15_or_newer_with_durable_commits(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        version = int(await connection.fetchval("SHOW server_version_num"))
        synchronous_commit = await connection.fetchval("SHOW synchronous_commit")
        fsync = await connection.fetchval("SHOW fsync")
    finally:
        await connection.close()
    assert version >= 150000
    assert (synchronous_commit, fsync) == ("on", "on")


async def test_kafka_round_trips_a_message(kafka_admin: KafkaAccess, unique_name: str) -> None:
    topic = f"cqx.{unique_name}.v1.events"
    admin = AIOKafkaAdminClient(**kafka_admin.client_options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(**kafka_admin.client_options(), acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"allowance issued", key=b"stream-1")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(topic, **kafka_admin.client_options(), auto_offset_reset="earliest")
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=20)
    finally:
        await consumer.stop()
    assert (message.key, message.value) == (b"stream-1", b"allowance issued")


def test_unique_name_is_a_fresh_lowercase_identifier(unique_name: str) -> None:
    assert unique_name.isidentifier()
    assert unique_name == unique_name.lower()
    assert unique_name.startswith("t_")


@native_only
@pytest.mark.slow
def test_second_instance_runs_beside_the_first_and_stops_without_a_trace(
    infra_endpoints: Endpoints, tmp_path: Path
) -> None:
    # With the jars cached, Maven cannot run: the start proves that none is downloaded.
    jars_were_cached = KafkaJars().is_fetched()
    jars = KafkaJars(mvn=str(tmp_path / "no-maven-here")) if jars_were_cached else KafkaJars()
    infrastructure = Infrastructure(
        tmp_path / "run", mode="native", ephemeral=True, kafka_jars=jars
    )
    endpoints = infrastructure.start()
    try:
        pids = infrastructure.pids()
        assert postgres_answers(endpoints.database_url)
        assert kafka_answers(endpoints.kafka_admin)
        assert postgres_answers(infra_endpoints.database_url)
        assert endpoints.database_url != infra_endpoints.database_url
        assert endpoints.kafka_bootstrap != infra_endpoints.kafka_bootstrap
        postgres_home = infrastructure.layout.postgres_home()
        assert (postgres_home / "data" / "PG_VERSION").exists()
    finally:
        infrastructure.stop()
    assert sorted(pids) == ["kafka", "postgres"]
    assert [pid for pid in pids.values() if pid_alive(pid)] == []
    assert not port_accepts(LOOPBACK, _port(endpoints.database_url))
    assert not port_accepts(LOOPBACK, _port(endpoints.kafka_bootstrap))
    assert not postgres_home.exists()
    if jars_were_cached:
        assert jars.maven_runs == 0


@native_only
def test_jar_cache_is_marked_complete(infra_endpoints: Endpoints) -> None:
    if infra_endpoints.source != "native":
        pytest.skip("the session's Kafka is not native")
    jars = KafkaJars()
    assert jars.is_fetched()
    assert any(jar.name.startswith("kafka_2.13-") for jar in jars.lib.glob("*.jar"))


@native_only
def test_missing_postgres_binaries_fail_the_start_and_stop_kafka(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    infrastructure = Infrastructure(
        run_dir, mode="native", ephemeral=True, postgres_bin_dir=tmp_path / "no-such-bin"
    )
    with pytest.raises(InfraStartError, match="no initdb and no postgres in"):
        infrastructure.start()
    assert _processes_mentioning(str(run_dir)) == []
    assert infrastructure.pids() == {}


@native_only
def test_a_broker_that_cannot_start_fails_the_start_and_stops_postgres(tmp_path: Path) -> None:
    # A jar cache that is marked complete but holds no jars: the JVM exits at once, while
    # PostgreSQL has started; the launcher must stop it and say why Kafka failed.
    cache = tmp_path / "cache"
    jars = KafkaJars(cache=cache, mvn=str(tmp_path / "no-maven"))
    jars.lib.mkdir(parents=True)
    (jars.home / "fetched.ok").touch()
    run_dir = tmp_path / "run"
    infrastructure = Infrastructure(run_dir, mode="native", ephemeral=True, kafka_jars=jars)
    with pytest.raises(InfraStartError, match="kafka"):
        infrastructure.start()
    assert _processes_mentioning(str(run_dir)) == []
    assert _processes_mentioning(str(infrastructure.layout.postgres_home())) == []
    assert not infrastructure.layout.postgres_home().exists()


@native_only
def test_postgres_on_a_taken_port_fails_with_its_log_and_leaves_no_process(
    tmp_path: Path,
) -> None:
    layout = RunLayout(tmp_path.resolve())
    try:
        with socket.socket() as squatter:
            squatter.bind((LOOPBACK, 0))
            squatter.listen()
            postgres = NativePostgres(layout, squatter.getsockname()[1])
            with pytest.raises(InfraStartError, match=r"(?s)exited with code.*already in use"):
                postgres.start(threading.Event())
        assert _processes_mentioning(str(layout.postgres_home() / "data")) == []
    finally:
        layout.purge()


@native_only
@pytest.mark.slow
def test_cli_up_is_idempotent_and_down_stops_everything(tmp_path: Path) -> None:
    run_dir = tmp_path / "cli"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CQX_")}
    environment |= {"PYTHONPATH": str(project_root() / "libs"), "CQX_INFRA_MODE": "native"}

    def cli(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cqx_infra", *arguments, "--run-dir", str(run_dir)],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
        )

    up = cli("up")
    try:
        assert up.returncode == 0, up.stderr
        assert "CQX_DATABASE_URL=postgresql://postgres@127.0.0.1:" in up.stdout
        state = json.loads((run_dir / "infra.json").read_text())
        pids = [int(service["pid"]) for service in state["services"]]
        assert all(pid_alive(pid) for pid in pids)
        assert cli("status").returncode == 0
        again = cli("up")
        assert "already running" in again.stdout
        assert again.stdout.splitlines()[:2] == up.stdout.splitlines()[:2]
    finally:
        down = cli("down", "--purge")
    assert down.returncode == 0, down.stderr
    assert [pid for pid in pids if pid_alive(pid)] == []
    assert cli("status").returncode == 1
    assert not (run_dir / "infra.json").exists()
    assert not RunLayout(run_dir.resolve()).postgres_home().exists()
