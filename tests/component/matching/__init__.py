"""Component tests of the matching service (the exchange) on real PostgreSQL and Kafka."""
