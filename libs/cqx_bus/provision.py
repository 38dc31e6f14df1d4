"""Provisioning a service's place on the bus: its topics, its SCRAM user and its ACLs.

An administrator's step, like a schema migration: the runtime does it itself when it is given
the administrator's credentials (local runs and tests), and ``python -m cqx_bus provision``
does it for a deployment's setup job. What a service may do, and nothing more:

- on each of its own topics (its events topic; later issues add more): WRITE and DESCRIBE;
- on each topic it consumes: READ (which includes DESCRIBE);
- on the consumer groups named after it (prefix ``<schema><-``): READ.

Nobody else gets WRITE on a service's topics (the administrator is a super user, used by
provisioning only). Running it again is harmless: topics and ACLs that exist are kept, and the
user's password is set again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from cqx_bus.access import KafkaAccess, KafkaCredentials
from cqx_bus.envelope import topic_for
from cqx_bus.kafka_admin import (
    AclBinding,
    Operation,
    Pattern,
    Resource,
    create_acls,
    upsert_scram_user,
)
from cqx_bus.topics import READY_WAIT_SECONDS, await_topic, ensure_topic

log = logging.getLogger("cqx.bus.provision")
_POLL_SECONDS = 0.1


def group_prefix(schema: str) -> str:
    """What every consumer group of the service with ``schema`` starts with."""
    return f"{schema}<-"


def consumer_group(schema: str, sources: Sequence[str]) -> str:
    """The consumer group (and tracking name) of a service's consumer of ``sources``."""
    return f"{group_prefix(schema)}{'+'.join(sources)}"


@dataclass(frozen=True)
class ServiceAccount:
    """A service's principal and what it may do on the bus (see the module)."""

    credentials: KafkaCredentials
    own_topics: Sequence[str]
    read_topics: Sequence[str]
    group_prefix: str

    def bindings(self) -> list[AclBinding]:
        """The ACL bindings that give the account its rights."""
        who = self.credentials.principal
        rules = [
            AclBinding(who, operation, Resource.TOPIC, topic)
            for topic in self.own_topics
            for operation in (Operation.WRITE, Operation.DESCRIBE)
        ]
        rules += [AclBinding(who, Operation.READ, Resource.TOPIC, t) for t in self.read_topics]
        rules.append(
            AclBinding(who, Operation.READ, Resource.GROUP, self.group_prefix, Pattern.PREFIXED)
        )
        return rules


def service_account(
    namespace: str, service: str, consumes: Sequence[str], credentials: KafkaCredentials
) -> ServiceAccount:
    """The account of ``service`` in ``namespace``: it writes its events topic and reads the
    events topics of the contexts it ``consumes``."""
    schema = f"{namespace}{service}"
    return ServiceAccount(
        credentials=credentials,
        own_topics=[topic_for(schema)],
        read_topics=[topic_for(f"{namespace}{context}") for context in consumes],
        group_prefix=group_prefix(schema),
    )


async def provision(admin: KafkaAccess, account: ServiceAccount, *, partitions: int = 1) -> None:
    """Create the account's topics (and those it reads, if missing), set its user's SCRAM
    credential and add its ACLs; ``admin`` is the administrator."""
    for topic in account.own_topics:
        await ensure_topic(admin, topic, partitions=partitions)
    for topic in account.read_topics:  # a consumer started before the producer finds its topic
        await ensure_topic(admin, topic)
    client = AIOKafkaAdminClient(**admin.client_options())
    await client.start()
    try:
        await upsert_scram_user(client, account.credentials)
        await create_acls(client, account.bindings())
    finally:
        await client.close()
    await _usable(admin.as_user(account.credentials), account.own_topics[0])
    log.info(
        "kafka user %s may write %s and read %s", account.credentials.username,
        ", ".join(account.own_topics), ", ".join(account.read_topics) or "nothing",
    )  # fmt: skip


async def provision_service(
    admin: KafkaAccess,
    namespace: str,
    service: str,
    *,
    consumes: Sequence[str],
    credentials: KafkaCredentials,
    partitions: int = 1,
) -> ServiceAccount:
    """Provision ``service`` in ``namespace`` (see :func:`provision`); its account."""
    account = service_account(namespace, service, consumes, credentials)
    await provision(admin, account, partitions=partitions)
    return account


async def _usable(access: KafkaAccess, topic: str) -> None:
    """Wait until the new credential and ACLs have reached the broker: the user logs in and
    sees its own topic (the controller has them at once; the broker a moment later)."""
    deadline = asyncio.get_running_loop().time() + READY_WAIT_SECONDS
    while True:
        try:
            if await await_topic(access, topic, wait_seconds=1.0):
                return
        except KafkaError:  # the credential is not there yet: the login fails
            pass
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"kafka user {access.credentials.username} cannot see {topic}")
        await asyncio.sleep(_POLL_SECONDS)
