"""Who a Kafka client is and how it reaches the broker: the one place every client's security
settings come from.

The broker requires SASL/SCRAM-SHA-512 authentication on its client listener; a client that
brings no credentials is refused. :class:`KafkaAccess` holds the bootstrap address and a
principal's :class:`KafkaCredentials`; :meth:`KafkaAccess.client_options` are the keyword
arguments of every aiokafka producer, consumer and admin client the project makes.

Environment (read by :func:`credentials_from_env`): ``CQX_KAFKA_USERNAME`` and
``CQX_KAFKA_PASSWORD`` (or ``CQX_KAFKA_PASSWORD_FILE``) for a service's own principal;
``CQX_KAFKA_ADMIN_USERNAME`` and ``CQX_KAFKA_ADMIN_PASSWORD`` (or ``…_FILE``) for the
administrator who provisions topics, users and ACLs.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cqx_kernel.errors import InvalidArgumentError

SECURITY_PROTOCOL = "SASL_PLAINTEXT"
SASL_MECHANISM = "SCRAM-SHA-512"
SERVICE_PREFIX = "CQX_KAFKA"
ADMIN_PREFIX = "CQX_KAFKA_ADMIN"
# SCRAM names are escaped on the wire (',' and '='); we accept none of those, nor blanks.
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-.")


@dataclass(frozen=True)
class KafkaCredentials:
    """A SCRAM principal: ``User:<username>`` with its password."""

    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.username or not set(self.username) <= _NAME_CHARACTERS:
            raise InvalidArgumentError(
                f"not a Kafka user name: {self.username!r} (allowed: a-z, 0-9, '_', '-', '.')"
            )
        if not self.password:
            raise InvalidArgumentError(f"Kafka user {self.username!r} has an empty password")

    @property
    def principal(self) -> str:
        """The principal as ACLs name it."""
        return f"User:{self.username}"


@dataclass(frozen=True)
class KafkaAccess:
    """Where the broker is and who connects to it."""

    bootstrap: str
    credentials: KafkaCredentials
    security_protocol: str = SECURITY_PROTOCOL
    sasl_mechanism: str = SASL_MECHANISM

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for ``AIOKafkaProducer``, ``AIOKafkaConsumer`` and
        ``AIOKafkaAdminClient``: the bootstrap address and the SASL settings."""
        return {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": self.security_protocol,
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.credentials.username,
            "sasl_plain_password": self.credentials.password,
        }

    def as_user(self, credentials: KafkaCredentials) -> KafkaAccess:
        """The same broker, reached as another principal."""
        return replace(self, credentials=credentials)


def derived_password(admin: KafkaCredentials, username: str) -> str:
    """A service's password derived from the administrator's (HMAC-SHA-256 of its name).

    Local runs and tests give a service the administrator's credentials and no password of its
    own: each process of the same service then finds the same password, and nobody without the
    administrator's password can compute it. Deployments set ``CQX_KAFKA_PASSWORD`` instead.
    """
    digest = hmac.new(admin.password.encode(), f"cqx-kafka-user:{username}".encode(), "sha256")
    return digest.hexdigest()


def credentials_from_env(
    env: Mapping[str, str], prefix: str, *, default_username: str | None = None
) -> KafkaCredentials | None:
    """``<prefix>_USERNAME`` with ``<prefix>_PASSWORD`` or ``<prefix>_PASSWORD_FILE``.

    None when neither password variable is set; a password without a user name (and no
    ``default_username``), both password variables, or an unreadable file are errors.
    """
    username = env.get(f"{prefix}_USERNAME", "").strip() or default_username
    password = _password(env, prefix)
    if password is None:
        return None
    if not username:
        raise InvalidArgumentError(f"{prefix}_PASSWORD is set but {prefix}_USERNAME is not")
    return KafkaCredentials(username, password)


def service_credentials(
    env: Mapping[str, str], username: str, admin: KafkaCredentials | None
) -> KafkaCredentials:
    """A service's own principal: ``CQX_KAFKA_USERNAME`` (default ``username``, the service's
    schema name) with ``CQX_KAFKA_PASSWORD[_FILE]``, else a password derived from the
    administrator's; with neither, a clear error (the broker admits no one without one)."""
    own = credentials_from_env(env, SERVICE_PREFIX, default_username=username)
    if own is not None:
        return own
    name = env.get(f"{SERVICE_PREFIX}_USERNAME", "").strip() or username
    if admin is None:
        raise InvalidArgumentError(
            f"the service's Kafka password is not set: set {SERVICE_PREFIX}_PASSWORD or "
            f"{SERVICE_PREFIX}_PASSWORD_FILE (or, where the service provisions itself, "
            f"{ADMIN_PREFIX}_USERNAME and {ADMIN_PREFIX}_PASSWORD)"
        )
    return KafkaCredentials(name, derived_password(admin, name))


def kafka_identities(
    env: Mapping[str, str], username: str
) -> tuple[KafkaCredentials, KafkaCredentials | None]:
    """A service's own principal (:func:`service_credentials`) and the administrator, if the
    environment names one (``CQX_KAFKA_ADMIN_*``: then the service provisions itself)."""
    admin = credentials_from_env(env, ADMIN_PREFIX)
    return service_credentials(env, username, admin), admin


def _password(env: Mapping[str, str], prefix: str) -> str | None:
    direct, path = env.get(f"{prefix}_PASSWORD", ""), env.get(f"{prefix}_PASSWORD_FILE", "")
    if direct and path:
        raise InvalidArgumentError(f"set {prefix}_PASSWORD or {prefix}_PASSWORD_FILE, not both")
    if path:
        try:
            secret = Path(path).read_text().strip()
        except OSError as error:
            raise InvalidArgumentError(f"{prefix}_PASSWORD_FILE={path}: {error}") from error
        if not secret:
            raise InvalidArgumentError(f"{prefix}_PASSWORD_FILE={path} is empty")
        return secret
    return direct or None
