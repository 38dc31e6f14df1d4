"""What a consumer checks before it believes an envelope: who sent it, that its hash holds, and
(on a one-partition topic) that it links to the last envelope it accepted from that source.

The broker's ACLs decide who may write a topic; these checks decide what a consumer applies,
so an envelope written with stolen or administrator's rights still has to be a faithful copy
of the source's hash-chained log. In order:

1. its ``source`` is the context that owns the topic (``SOURCE_NOT_TOPIC_OWNER``);
2. its ``hash`` recomputes from its content and ``prev_hash`` (``HASH_MISMATCH``);
3. on a one-partition topic, where the relay publishes the source's log in position order:
   an envelope at or below the last accepted position is a repeat (a relay restart publishes
   again) and is skipped, never applied; the next one must carry the last accepted hash as
   its ``prev_hash`` and follow it without a gap (``CHAIN_BROKEN``). The first envelope a
   consumer ever sees on a topic must, at position 1, carry the genesis ``prev_hash``; at a
   later position (the topic's retention dropped the start, or the consumer predates these
   checks) it is accepted as the anchor, with a warning: trust on first use.

The last accepted position and hash of each topic (the chain's tip) are kept in the
consumer's bookkeeping, so a restart goes on checking from there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from cqx.eventing.v1.envelope_pb2 import EventEnvelope

from cqx_bus.bookkeeping import Bookkeeping, ChainTip
from cqx_bus.envelope import hash_holds
from cqx_bus.errors import UnusableMessageError
from cqx_eventstore.hashing import GENESIS_HASH

log = logging.getLogger("cqx.bus.provenance")


class EnvelopeRefusedError(UnusableMessageError):
    """An envelope that is not what its source recorded: dead-lettered, never applied."""

    default_reason = "ENVELOPE_REFUSED"


@dataclass
class ProvenanceCheck:
    """The checks of one consumer (see the module): ``owners`` maps each topic it reads to the
    context that publishes it."""

    consumer: str
    owners: Mapping[str, str]
    bookkeeping: Bookkeeping

    def __post_init__(self) -> None:
        self._tips: dict[str, ChainTip | None] = {}
        self._unsaved: set[str] = set()

    async def admit(self, topic: str, envelope: EventEnvelope, *, chained: bool) -> bool:
        """True if ``envelope`` may be applied, False if it repeats one accepted before;
        raises :class:`EnvelopeRefusedError` with the reason if it fails a check."""
        owner = self.owners.get(topic)
        if envelope.source != owner:
            raise EnvelopeRefusedError(
                f"source {envelope.source!r} on {topic}, which only {owner!r} publishes",
                reason="SOURCE_NOT_TOPIC_OWNER",
            )
        if not hash_holds(envelope):
            raise EnvelopeRefusedError(
                f"the hash of position {envelope.position} does not recompute from its content",
                reason="HASH_MISMATCH",
            )
        if not chained:
            return True
        tip = await self._tip(topic)
        if tip is not None and envelope.position <= tip.position:
            return False
        self._check_link(topic, tip, envelope)
        self._tips[topic] = ChainTip(envelope.position, envelope.hash)
        self._unsaved.add(topic)
        return True

    async def save(self) -> None:
        """Record the tips moved since the last save (call it once their effects are
        committed, and before the Kafka offsets are)."""
        for topic in sorted(self._unsaved):
            tip = self._tips[topic]
            if tip is not None:
                await self.bookkeeping.save_chain_tip(self.consumer, topic, tip)
        self._unsaved.clear()

    async def _tip(self, topic: str) -> ChainTip | None:
        if topic not in self._tips:
            self._tips[topic] = await self.bookkeeping.chain_tip(self.consumer, topic)
        return self._tips[topic]

    def _check_link(self, topic: str, tip: ChainTip | None, envelope: EventEnvelope) -> None:
        position = envelope.position
        if tip is None:
            if position == 1 and envelope.prev_hash != GENESIS_HASH:
                raise EnvelopeRefusedError(
                    "position 1 does not start from the genesis hash", reason="CHAIN_BROKEN"
                )
            if position > 1:
                log.warning(
                    "%s: %s checked from position %d on (nothing recorded before it)",
                    self.consumer, topic, position,
                )  # fmt: skip
            return
        if position != tip.position + 1:
            raise EnvelopeRefusedError(
                f"position {position} follows {tip.position}: a gap", reason="CHAIN_BROKEN"
            )
        if envelope.prev_hash != tip.hash:
            raise EnvelopeRefusedError(
                f"position {position} does not link to the hash of position {tip.position}",
                reason="CHAIN_BROKEN",
            )
