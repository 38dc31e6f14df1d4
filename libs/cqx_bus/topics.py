"""Topic administration: create a context's topic with the partitions it needs (an
administrator's step), and wait until a topic or a group's coordinator is ready.

Both helpers wait until the broker is ready for what comes next, because aiokafka logs each
failed lookup of a normal start as an ERROR: a topic created a moment ago is not yet in every
broker's metadata (``Topic … not found in cluster metadata``), and on a fresh broker no group
has a coordinator until its offsets topic exists (``Group Coordinator Request failed``).
"""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from cqx_bus.access import KafkaAccess

READY_WAIT_SECONDS = 30.0  # past this, the client is started anyway and retries by itself
_POLL_SECONDS = 0.1


async def ensure_topic(
    admin: KafkaAccess,
    topic: str,
    *,
    partitions: int = 1,
    wait_seconds: float = READY_WAIT_SECONDS,
) -> None:
    """Create ``topic`` unless it exists (replication factor 1 on a single broker); return once
    the broker's metadata has it (or ``wait_seconds`` have passed). ``admin`` must be allowed
    to create topics (the administrator)."""
    client = AIOKafkaAdminClient(**admin.client_options())
    await client.start()
    try:
        with contextlib.suppress(TopicAlreadyExistsError):
            await client.create_topics([NewTopic(topic, partitions, replication_factor=1)])
        await _described(client, topic, wait_seconds)
    finally:
        await client.close()


async def await_topic(
    access: KafkaAccess, topic: str, *, wait_seconds: float = READY_WAIT_SECONDS
) -> bool:
    """Wait until ``topic`` exists and ``access``'s principal may see it (it was provisioned);
    whether it did within ``wait_seconds``."""
    client = AIOKafkaAdminClient(**access.client_options())
    await client.start()
    try:
        return await _described(client, topic, wait_seconds)
    finally:
        await client.close()


async def _described(client: AIOKafkaAdminClient, topic: str, wait_seconds: float) -> bool:
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while asyncio.get_running_loop().time() < deadline:
        described = await client.describe_topics([topic])
        if described and all(entry["error_code"] == 0 for entry in described):
            return True
        await asyncio.sleep(_POLL_SECONDS)
    return False


async def await_group_coordinator(
    access: KafkaAccess, group: str, *, wait_seconds: float = READY_WAIT_SECONDS
) -> None:
    """Return once the broker names a coordinator for consumer group ``group`` (or after
    ``wait_seconds``: the consumer then looks it up itself)."""
    client = AIOKafkaAdminClient(**access.client_options())
    await client.start()
    try:
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while asyncio.get_running_loop().time() < deadline:
            try:
                await client.find_coordinator(group)
            except KafkaError:  # not available yet, or still loading: ask again
                await asyncio.sleep(_POLL_SECONDS)
            else:
                return
    finally:
        await client.close()
