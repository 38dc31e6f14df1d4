"""Settings every service reads once from the environment (in ``__main__``) and passes down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cqx_bus.access import KafkaAccess, KafkaCredentials, kafka_identities
from cqx_bus.envelope import topic_for
from cqx_eventstore.migrate import service_dsn
from cqx_kernel.errors import InvalidArgumentError


@dataclass(frozen=True)
class RuntimeSettings:
    """Where a service finds its database and broker, and where it listens.

    Environment: ``CQX_DATABASE_URL`` (an administrator's DSN, used to migrate),
    ``CQX_<SERVICE>_DATABASE_URL`` (the service role's DSN; derived when absent),
    ``CQX_KAFKA_BOOTSTRAP``, ``CQX_<SERVICE>_PORT``, ``CQX_HOST`` (default 127.0.0.1),
    ``CQX_GRACE_SECONDS`` (default 5), ``CQX_SERVICE_DB_PASSWORD`` (the service role's
    password, set at migration; none where loopback is trusted), ``CQX_NAMESPACE`` (default
    empty: a prefix for the schema and every topic, so that several systems — or tests —
    share one PostgreSQL and one Kafka without meeting), ``CQX_OPERATOR_TOKEN`` (the token an
    operator's methods require; unset: they are open, as in the local demo),
    ``CQX_<SERVICE>_METRICS_PORT`` (where ``/metrics`` is served; default the gRPC port plus
    1000, or 0 — a free port — when the gRPC port is 0).

    Kafka identities (the broker admits no one without them): ``CQX_KAFKA_USERNAME`` (default
    ``<namespace><service>``) and ``CQX_KAFKA_PASSWORD`` or ``CQX_KAFKA_PASSWORD_FILE``, the
    service's own principal; ``CQX_KAFKA_ADMIN_USERNAME`` and ``CQX_KAFKA_ADMIN_PASSWORD`` or
    ``CQX_KAFKA_ADMIN_PASSWORD_FILE``, the broker's administrator: when given, the service
    provisions its own topic, user and ACLs at start (as it migrates with
    ``CQX_DATABASE_URL``), and without a password of its own uses one derived from the
    administrator's (local runs and tests).
    """

    service: str
    database_url: str
    service_database_url: str
    kafka_bootstrap: str
    host: str
    port: int
    grace_seconds: float
    namespace: str = ""
    role_password: str | None = None
    operator_token: str | None = field(default=None, repr=False)
    metrics_port: int | None = None  # None: no metrics server (offline tools, unit tests)
    kafka_credentials: KafkaCredentials | None = field(default=None, repr=False)
    kafka_admin_credentials: KafkaCredentials | None = field(default=None, repr=False)

    @property
    def kafka(self) -> KafkaAccess:
        """The broker, reached as the service's own principal."""
        if self.kafka_credentials is None:
            raise InvalidArgumentError("no Kafka credentials for the service (CQX_KAFKA_PASSWORD)")
        return KafkaAccess(self.kafka_bootstrap, self.kafka_credentials)

    @property
    def kafka_admin(self) -> KafkaAccess | None:
        """The broker, reached as its administrator (None: provisioning is not ours)."""
        if self.kafka_admin_credentials is None:
            return None
        return KafkaAccess(self.kafka_bootstrap, self.kafka_admin_credentials)

    @property
    def schema(self) -> str:
        """The service's PostgreSQL schema: its name, after the namespace."""
        return f"{self.namespace}{self.service}"

    def topic(self, context: str) -> str:
        """The topic of a context's events in this namespace."""
        return topic_for(f"{self.namespace}{context}")

    @classmethod
    def from_env(
        cls, service: str, default_port: int, environ: Mapping[str, str] | None = None
    ) -> RuntimeSettings:
        """Read the settings of ``service``; a missing or malformed value is a clear error."""
        env = os.environ if environ is None else environ
        upper = service.upper()
        database_url = _required(env, "CQX_DATABASE_URL")
        namespace = env.get("CQX_NAMESPACE", "")
        password = env.get("CQX_SERVICE_DB_PASSWORD") or None
        port = _port(env, f"CQX_{upper}_PORT", default_port)
        metrics_port = _port(env, f"CQX_{upper}_METRICS_PORT", port + 1000 if port else 0)
        kafka_user, kafka_admin = kafka_identities(env, f"{namespace}{service}")
        return cls(
            service=service,
            database_url=database_url,
            service_database_url=env.get(f"CQX_{upper}_DATABASE_URL")
            or service_dsn(database_url, f"{namespace}{service}", password),
            kafka_bootstrap=_required(env, "CQX_KAFKA_BOOTSTRAP"),
            host=env.get("CQX_HOST", "127.0.0.1"),
            port=port,
            grace_seconds=float(env.get("CQX_GRACE_SECONDS", "5")),
            namespace=namespace,
            role_password=password,
            operator_token=_operator_token(env),
            metrics_port=metrics_port,
            kafka_credentials=kafka_user,
            kafka_admin_credentials=kafka_admin,
        )


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    """The port number ``name`` sets (``default`` when unset); anything else is an error."""
    text = env.get(name, str(default))
    if not text.isdigit() or not 0 <= int(text) < 65536:
        raise InvalidArgumentError(f"{name} is not a port number: {text!r}")
    return int(text)


def _operator_token(env: Mapping[str, str]) -> str | None:
    """``CQX_OPERATOR_TOKEN``: unset or empty, none; blanks only are a mistake (fail closed)."""
    raw = env.get("CQX_OPERATOR_TOKEN", "")
    if raw and not raw.strip():
        raise InvalidArgumentError("CQX_OPERATOR_TOKEN is blank: give a token, or unset it")
    return raw.strip() or None


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise InvalidArgumentError(f"{name} is not set (run `make infra-up` to get one)")
    return value
