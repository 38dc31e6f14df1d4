"""The CQX bus: a relay from each event store to Kafka, and consumers with exactly-once effect.

Every client reaches the broker as an authenticated principal (:class:`KafkaAccess`); each
service's principal is provisioned with its topics and ACLs by :func:`provision_service`.
"""

from cqx_bus.access import KafkaAccess, KafkaCredentials
from cqx_bus.consumer import Consumer, Handler
from cqx_bus.envelope import from_recorded, topic_for
from cqx_bus.provision import provision_service
from cqx_bus.relay import Relay

__all__ = [
    "Consumer",
    "Handler",
    "KafkaAccess",
    "KafkaCredentials",
    "Relay",
    "from_recorded",
    "provision_service",
    "topic_for",
]
