"""The CQX bus: a relay from each event store to Kafka, and consumers with exactly-once effect."""

from cqx_bus.consumer import Consumer, Handler
from cqx_bus.envelope import from_recorded, topic_for
from cqx_bus.relay import Relay

__all__ = ["Consumer", "Handler", "Relay", "from_recorded", "topic_for"]
