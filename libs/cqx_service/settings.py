"""Settings every service reads once from the environment (in ``__main__``) and passes down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from cqx_bus.access import KafkaAccess, KafkaCredentials, kafka_identities
from cqx_bus.envelope import topic_for
from cqx_eventstore.migrate import service_dsn, with_password
from cqx_identity.tls import TlsFiles
from cqx_kernel.errors import InvalidArgumentError
from cqx_service.approvals import four_eyes_methods, withdrawal_threshold
from cqx_service.policy import operator_methods
from cqx_service.secret_env import secret


@dataclass(frozen=True)
class RuntimeSettings:
    """Where a service finds its database and broker, and where it listens.

    Environment: ``CQX_DATABASE_URL`` (an administrator's DSN: given, the service migrates
    its schema at start; absent, the migration step ran separately and the service checks
    its schema's version), ``CQX_<SERVICE>_DATABASE_URL`` (the service role's DSN; derived
    from the administrator's when absent; one of the two is required),
    ``CQX_DATABASE_PASSWORD`` and ``CQX_SERVICE_DB_PASSWORD`` each also as ``…_FILE`` (a file
    holding it: :mod:`cqx_service.secret_env`; added to the DSN that has none),
    ``CQX_KAFKA_BOOTSTRAP``, ``CQX_<SERVICE>_PORT``, ``CQX_HOST`` (default 127.0.0.1),
    ``CQX_GRACE_SECONDS`` (default 5), ``CQX_SERVICE_DB_PASSWORD`` (the service role's
    password, set at migration; none where loopback is trusted), ``CQX_NAMESPACE`` (default
    empty: a prefix for the schema and every topic, so that several systems — or tests —
    share one PostgreSQL and one Kafka without meeting), ``CQX_PKI_DIR`` (required: the
    directory of the service's credential ``<service>.crt``/``.key``, the authority's
    ``ca.crt`` and ``revoked.crl``; see docs/identity.md), ``CQX_TLS_CRL`` (the revocation
    list, when it is kept elsewhere: a volume the authority updates),
    ``CQX_<SERVICE>_METRICS_PORT`` (where ``/metrics`` is served; default the gRPC port plus
    1000, or 0 — a free port — when the gRPC port is 0), ``CQX_FOUR_EYES`` (the operators'
    methods that wait for a second operator's approval: unset, issuing, depositing, freezing
    and unfreezing; ``off``, none; else a comma-separated list: :mod:`cqx_service.approvals`),
    ``CQX_FOUR_EYES_WITHDRAWAL_FEN`` (above it a member's withdrawal waits for an operator's
    approval; default 100,000,000 fen; none when four eyes are off).

    Kafka identities (the broker admits no one without them): ``CQX_KAFKA_USERNAME`` (default
    ``<namespace><service>``) and ``CQX_KAFKA_PASSWORD`` or ``CQX_KAFKA_PASSWORD_FILE``, the
    service's own principal; ``CQX_KAFKA_ADMIN_USERNAME`` and ``CQX_KAFKA_ADMIN_PASSWORD`` or
    ``CQX_KAFKA_ADMIN_PASSWORD_FILE``, the broker's administrator: when given, the service
    provisions its own topic, user and ACLs at start (as it migrates with
    ``CQX_DATABASE_URL``), and without a password of its own uses one derived from the
    administrator's (local runs and tests).
    """

    service: str
    database_url: str | None = field(repr=False)  # None: no migrating (done separately)
    service_database_url: str = field(repr=False)
    kafka_bootstrap: str
    host: str
    port: int
    grace_seconds: float
    namespace: str = ""
    role_password: str | None = field(default=None, repr=False)
    pki_dir: Path | None = None  # None: no credential (offline tools, unit tests)
    crl_path: Path | None = None
    metrics_port: int | None = None  # None: no metrics server (offline tools, unit tests)
    four_eyes: frozenset[str] = frozenset()  # operators' methods a second operator approves
    withdrawal_approval_fen: int | None = None  # above it, a withdrawal waits for an operator
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

    @property
    def tls(self) -> TlsFiles:
        """The service's credential, the authority's certificate and the revocation list."""
        if self.pki_dir is None:
            raise InvalidArgumentError(f"CQX_PKI_DIR is not set ({_PKI_HINT})")
        files = TlsFiles.in_directory(self.pki_dir, self.service)
        return replace(files, crl=self.crl_path) if self.crl_path is not None else files

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
        database_url = _database_url(env, "CQX_DATABASE_URL", "CQX_DATABASE_PASSWORD")
        namespace = env.get("CQX_NAMESPACE", "")
        password = secret(env, "CQX_SERVICE_DB_PASSWORD")
        port = _port(env, f"CQX_{upper}_PORT", default_port)
        metrics_port = _port(env, f"CQX_{upper}_METRICS_PORT", port + 1000 if port else 0)
        kafka_user, kafka_admin = kafka_identities(env, f"{namespace}{service}")
        return cls(
            service=service,
            database_url=database_url,
            service_database_url=_database_url(env, f"CQX_{upper}_DATABASE_URL", password=password)
            or _derived(database_url, f"{namespace}{service}", password, upper),
            kafka_bootstrap=_required(env, "CQX_KAFKA_BOOTSTRAP"),
            host=env.get("CQX_HOST", "127.0.0.1"),
            port=port,
            grace_seconds=float(env.get("CQX_GRACE_SECONDS", "5")),
            namespace=namespace,
            role_password=password,
            pki_dir=Path(env["CQX_PKI_DIR"]) if env.get("CQX_PKI_DIR", "").strip() else None,
            crl_path=Path(env["CQX_TLS_CRL"]) if env.get("CQX_TLS_CRL") else None,
            metrics_port=metrics_port,
            kafka_credentials=kafka_user,
            kafka_admin_credentials=kafka_admin,
            four_eyes=four_eyes_methods(env, operator_methods()),
            withdrawal_approval_fen=withdrawal_threshold(env),
        )


def _database_url(
    env: Mapping[str, str], name: str, password_name: str = "", password: str | None = None
) -> str | None:
    """The DSN ``name`` gives, with the password (``password_name`` or ``password``) added."""
    dsn = env.get(name, "").strip()
    password = secret(env, password_name) if password_name else password
    if not dsn or not password:
        return dsn or None
    try:
        return with_password(dsn, password)
    except InvalidArgumentError as error:
        raise InvalidArgumentError(f"{name}: {error.message}") from None


def _derived(admin: str | None, schema: str, password: str | None, upper: str) -> str:
    if admin is None:
        raise InvalidArgumentError(
            f"neither CQX_DATABASE_URL (the administrator's) nor CQX_{upper}_DATABASE_URL (the"
            " service role's) is set (run `make infra-up` to get one)"
        )
    return service_dsn(admin, schema, password)


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    """The port number ``name`` sets (``default`` when unset); anything else is an error."""
    text = env.get(name, str(default))
    if not text.isdigit() or not 0 <= int(text) < 65536:
        raise InvalidArgumentError(f"{name} is not a port number: {text!r}")
    return int(text)


_PKI_HINT = (
    "a service serves mutual TLS only: the directory of its credential, made with "
    "`python -m cqx_identity`"
)


def _required(
    env: Mapping[str, str], name: str, hint: str = "run `make infra-up` to get one"
) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise InvalidArgumentError(f"{name} is not set ({hint})")
    return value
