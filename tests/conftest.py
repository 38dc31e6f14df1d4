"""Fixtures for every test: real PostgreSQL and Kafka come from the project's launcher."""

pytest_plugins = ["cqx_infra.pytest_plugin"]
