"""The broker as an attacker meets it: no login, no entry; a service's login writes only its
own topic and reads only what it consumes; and every refusal leaves the topic as it was."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from cqx_bus import KafkaAccess, KafkaCredentials, provision_service
from cqx_bus.kafka_admin import AclBinding, Operation, Resource, create_acls
from cqx_bus.topics import ensure_topic

SECONDS = 15


@dataclass
class Bus:
    """Two provisioned services of one namespace: settlement (reads matching) and matching
    (reads settlement and registry), and the administrator."""

    admin: KafkaAccess
    settlement: KafkaAccess
    matching: KafkaAccess
    namespace: str

    def topic(self, context: str) -> str:
        return f"cqx.{self.namespace}{context}.v1.events"


@pytest.fixture
async def bus(kafka_admin: KafkaAccess, unique_name: str) -> Bus:
    namespace = f"{unique_name}_"
    settlement = KafkaCredentials(f"{namespace}settlement", "settlement-secret")
    matching = KafkaCredentials(f"{namespace}matching", "matching-secret")
    await provision_service(
        kafka_admin, namespace, "settlement", consumes=["matching", "registry"],
        credentials=settlement,
    )  # fmt: skip
    await provision_service(
        kafka_admin, namespace, "matching", consumes=["registry", "settlement"],
        credentials=matching,
    )  # fmt: skip
    return Bus(
        kafka_admin, kafka_admin.as_user(settlement), kafka_admin.as_user(matching), namespace
    )


async def messages_on(admin: KafkaAccess, topic: str) -> int:
    """How many messages ``topic`` holds (its end offset), as the administrator sees it."""
    consumer = AIOKafkaConsumer(**admin.client_options())
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        return int((await consumer.end_offsets([partition]))[partition])
    finally:
        await consumer.stop()


async def write(access: KafkaAccess | dict[str, str], topic: str) -> None:
    options = access.client_options() if isinstance(access, KafkaAccess) else access
    producer = AIOKafkaProducer(**options, request_timeout_ms=5000)
    try:
        await asyncio.wait_for(producer.start(), SECONDS)
        await asyncio.wait_for(producer.send_and_wait(topic, b"FundsDeposited 1e9 CNY"), SECONDS)
    finally:
        await producer.stop()


async def read(access: KafkaAccess, topic: str, group: str) -> None:
    consumer = AIOKafkaConsumer(
        topic, **access.client_options(), group_id=group, auto_offset_reset="earliest"
    )
    try:
        await consumer.start()
        await asyncio.wait_for(consumer.getmany(timeout_ms=5000), SECONDS)
    finally:
        await consumer.stop()


async def test_a_producer_without_a_login_cannot_connect_nor_write(bus: Bus) -> None:
    topic = bus.topic("settlement")
    with pytest.raises((KafkaConnectionError, KafkaError, asyncio.TimeoutError)):
        await write({"bootstrap_servers": bus.admin.bootstrap}, topic)
    assert await messages_on(bus.admin, topic) == 0


async def test_a_wrong_password_is_refused(bus: Bus) -> None:
    topic = bus.topic("settlement")
    impostor = bus.admin.as_user(KafkaCredentials(bus.settlement.credentials.username, "guess"))
    with pytest.raises((KafkaConnectionError, KafkaError)):
        await write(impostor, topic)
    assert await messages_on(bus.admin, topic) == 0


async def test_another_service_cannot_write_a_services_topic(bus: Bus) -> None:
    topic = bus.topic("settlement")
    with pytest.raises(TopicAuthorizationFailedError):
        await write(bus.matching, topic)
    assert await messages_on(bus.admin, topic) == 0
    await write(bus.settlement, topic)  # its owner may
    assert await messages_on(bus.admin, topic) == 1


async def test_a_service_cannot_read_a_topic_it_does_not_consume(bus: Bus) -> None:
    # settlement consumes matching and registry, not allocation
    allocation = bus.topic("allocation")
    await ensure_topic(bus.admin, allocation)
    await write(bus.admin, allocation)
    with pytest.raises(TopicAuthorizationFailedError):
        await read(bus.settlement, allocation, f"{bus.namespace}settlement<-allocation")


async def test_a_service_reads_only_in_its_own_consumer_groups(bus: Bus) -> None:
    # matching's group (matching<-…) on a topic settlement may read
    with pytest.raises(GroupAuthorizationFailedError):
        await read(bus.settlement, bus.topic("matching"), f"{bus.namespace}matching<-settlement")


async def test_a_service_cannot_grant_itself_rights(bus: Bus) -> None:
    topic = bus.topic("settlement")
    grab = AclBinding(bus.matching.credentials.principal, Operation.WRITE, Resource.TOPIC, topic)
    client = AIOKafkaAdminClient(**bus.matching.client_options())
    await client.start()
    try:
        with pytest.raises(ClusterAuthorizationFailedError):
            await create_acls(client, [grab])
    finally:
        await client.close()
    with pytest.raises(TopicAuthorizationFailedError):
        await write(bus.matching, topic)
    assert await messages_on(bus.admin, topic) == 0


async def test_the_setup_jobs_command_provisions_a_service_from_its_password_file(
    kafka_admin: KafkaAccess, unique_name: str, tmp_path: Path
) -> None:
    secret = tmp_path / "kafka_allocation"
    secret.write_text("allocation-secret\n")
    environment = {
        **os.environ, "CQX_KAFKA_BOOTSTRAP": kafka_admin.bootstrap,
        "CQX_NAMESPACE": f"{unique_name}_", "CQX_KAFKA_PASSWORD_FILE": str(secret),
        "CQX_KAFKA_ADMIN_USERNAME": kafka_admin.credentials.username,
        "CQX_KAFKA_ADMIN_PASSWORD": kafka_admin.credentials.password,
    }  # fmt: skip
    done = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cqx_bus", "provision", "allocation", "--consumes", "registry",
        env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await done.communicate()
    assert done.returncode == 0, output.decode()
    allocation = kafka_admin.as_user(
        KafkaCredentials(f"{unique_name}_allocation", "allocation-secret")
    )
    await write(allocation, f"cqx.{unique_name}_allocation.v1.events")
    with pytest.raises(TopicAuthorizationFailedError):
        await write(allocation, f"cqx.{unique_name}_registry.v1.events")
