"""Where the relay and consumers keep their own state, in the service's schema.

``relay_checkpoints`` and ``dead_letters`` are created by the event store's migrations
(0002_bus.sql), ``chain_tips`` (the last envelope each consumer accepted from each topic,
:mod:`cqx_bus.provenance`) by 0004_chain_tips.sql. The in-memory versions serve unit tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from cqx_eventstore.migrate import checked_identifier


@dataclass(frozen=True)
class DeadLetter:
    """A message a consumer could not use, kept with the reason."""

    consumer: str
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    reason: str


@dataclass(frozen=True)
class ChainTip:
    """The position and hash of the last envelope a consumer accepted from a topic."""

    position: int
    hash: bytes


class Bookkeeping(Protocol):
    """The relay's checkpoints, the consumers' dead letters and chain tips."""

    async def published_position(self, topic: str) -> int: ...

    async def save_published_position(self, topic: str, position: int) -> None: ...

    async def put_dead_letter(self, letter: DeadLetter) -> None: ...

    async def dead_letters(self, consumer: str) -> list[DeadLetter]: ...

    async def chain_tip(self, consumer: str, topic: str) -> ChainTip | None: ...

    async def save_chain_tip(self, consumer: str, topic: str, tip: ChainTip) -> None: ...


class PostgresBookkeeping:
    """Bookkeeping in the service's PostgreSQL schema."""

    def __init__(self, pool: Any, schema: str) -> None:
        self._pool = pool
        self._s = checked_identifier(schema)

    async def published_position(self, topic: str) -> int:
        value = await self._pool.fetchval(
            f"SELECT position FROM {self._s}.relay_checkpoints WHERE topic = $1", topic
        )
        return int(value or 0)

    async def save_published_position(self, topic: str, position: int) -> None:
        await self._pool.execute(
            f"INSERT INTO {self._s}.relay_checkpoints (topic, position) VALUES ($1, $2)"
            " ON CONFLICT (topic) DO UPDATE SET position = excluded.position, updated_at = now()",
            topic,
            position,
        )

    async def put_dead_letter(self, letter: DeadLetter) -> None:
        await self._pool.execute(
            f"INSERT INTO {self._s}.dead_letters"
            ' (consumer, topic, partition, "offset", key, value, reason)'
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            letter.consumer, letter.topic, letter.partition, letter.offset,
            letter.key, letter.value, letter.reason,
        )  # fmt: skip

    async def dead_letters(self, consumer: str) -> list[DeadLetter]:
        rows = await self._pool.fetch(
            f'SELECT consumer, topic, partition, "offset", key, value, reason'
            f" FROM {self._s}.dead_letters WHERE consumer = $1 ORDER BY id",
            consumer,
        )
        return [DeadLetter(*row) for row in rows]

    async def chain_tip(self, consumer: str, topic: str) -> ChainTip | None:
        row = await self._pool.fetchrow(
            f"SELECT position, hash FROM {self._s}.chain_tips WHERE consumer = $1 AND topic = $2",
            consumer,
            topic,
        )
        return None if row is None else ChainTip(int(row[0]), bytes(row[1]))

    async def save_chain_tip(self, consumer: str, topic: str, tip: ChainTip) -> None:
        await self._pool.execute(
            f"INSERT INTO {self._s}.chain_tips (consumer, topic, position, hash)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (consumer, topic) DO UPDATE"
            " SET position = excluded.position, hash = excluded.hash, updated_at = now()",
            consumer, topic, tip.position, tip.hash,
        )  # fmt: skip


@dataclass
class InMemoryBookkeeping:
    """Bookkeeping in memory, for unit tests."""

    positions: dict[str, int] = field(default_factory=dict)
    letters: list[DeadLetter] = field(default_factory=list)
    tips: dict[tuple[str, str], ChainTip] = field(default_factory=dict)

    async def published_position(self, topic: str) -> int:
        return self.positions.get(topic, 0)

    async def save_published_position(self, topic: str, position: int) -> None:
        self.positions[topic] = position

    async def put_dead_letter(self, letter: DeadLetter) -> None:
        self.letters.append(letter)

    async def dead_letters(self, consumer: str) -> list[DeadLetter]:
        return [letter for letter in self.letters if letter.consumer == consumer]

    async def chain_tip(self, consumer: str, topic: str) -> ChainTip | None:
        return self.tips.get((consumer, topic))

    async def save_chain_tip(self, consumer: str, topic: str, tip: ChainTip) -> None:
        self.tips[(consumer, topic)] = tip
