"""The project's certificate authority: one directory, made and kept by ``python -m cqx_identity``.

Layout of the directory (``.run/pki`` for ``make run``; ``CQX_PKI_DIR`` everywhere):

- ``ca.crt`` / ``ca.key``: the authority (ECDSA P-256, ten years). Keep ``ca.key`` offline in a
  real deployment: only issuing and revoking need it.
- ``<name>.crt`` / ``<name>.key``: one principal's credential (its latest, when rotated).
- ``revoked.crl``: the X.509 revocation list every service reads before each call.
- ``index.json``: every certificate issued (serial, principal, expiry, revocation).
- ``signing/<service>.key`` and ``signing-keys.txt``: the services' Ed25519 signing keys and
  their public keys (see :mod:`cqx_identity.signing`).

Keys are ECDSA P-256 (what every gRPC and TLS stack speaks); certificates carry the principal
as subject alternative name URIs (:mod:`cqx_identity.principal`), and a service's certificate
also names the hosts it is reached at.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cqx_identity.principal import SERVICES, Principal, Role, check_name

CA_DAYS = 3650
DEFAULT_DAYS = {Role.SERVICE: 365, Role.OPERATOR: 90, Role.AUDITOR: 90, Role.MEMBER: 90}
CRL_DAYS = 7
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Issued:
    """One certificate the authority issued, as ``index.json`` keeps it."""

    serial: str  # hex
    principal: str
    participant: str | None
    not_after: str  # ISO 8601, UTC
    revoked_at: str | None = None
    revoked_reason: str | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file that existed keeps its mode otherwise
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class CertificateAuthority:
    """The authority in ``directory`` (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    # -- the authority itself ------------------------------------------------------------

    @property
    def ca_path(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def crl_path(self) -> Path:
        return self.directory / "revoked.crl"

    def exists(self) -> bool:
        """Whether the directory holds an authority already."""
        return self.ca_path.exists() and (self.directory / "ca.key").exists()

    def create(self, name: str = "CQX local authority") -> None:
        """Make a new authority (and an empty revocation list); refuses to overwrite one."""
        if self.exists():
            raise FileExistsError(f"{self.directory} holds an authority already")
        self.directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        _write_private(self.directory / "ca.key", _key_pem(key))
        self.ca_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self._save_index([])
        self.write_crl()

    def _ca(self) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        if not self.exists():
            raise FileNotFoundError(
                f"no authority in {self.directory}: make one with "
                f"`python -m cqx_identity --pki {self.directory} init`"
            )
        cert = x509.load_pem_x509_certificate(self.ca_path.read_bytes())
        key = serialization.load_pem_private_key((self.directory / "ca.key").read_bytes(), None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("ca.key is not an ECDSA key")
        return cert, key

    # -- credentials ---------------------------------------------------------------------

    def issue(
        self,
        role: Role,
        name: str,
        *,
        participant: str | None = None,
        days: int | None = None,
        hosts: Sequence[str] = (),
    ) -> Principal:
        """Issue (or rotate: issue anew) ``name``'s credential into ``<name>.crt``/``.key``.

        A member acts for ``participant`` (default: a participant of its own name); a service
        is one of the four and is also named for ``hosts`` (plus localhost) to serve TLS.
        """
        check_name(name)
        if role is Role.MEMBER:
            participant = check_name(participant or name, "participant")
        elif participant is not None:
            raise ValueError(f"only a member acts for a participant, not a {role.value}")
        if role is Role.SERVICE and name not in SERVICES:
            raise ValueError(f"a service is one of {', '.join(SERVICES)}, not {name!r}")
        if role is not Role.SERVICE and name in SERVICES:
            raise ValueError(f"{name!r} is a service's name; choose another")
        held = self._holder_of(name)
        if held is not None and held != role:
            raise ValueError(f"{name!r} is a {held.value} already; a name is one principal")
        ca_cert, ca_key = self._ca()
        key = ec.generate_private_key(ec.SECP256R1())
        now = _now()
        lifetime = dt.timedelta(days=days if days is not None else DEFAULT_DAYS[role])
        principal = Principal(role, name, participant, x509.random_serial_number())
        names: list[x509.GeneralName] = [
            x509.UniformResourceIdentifier(u) for u in principal.uris()
        ]
        if role is Role.SERVICE:
            names += [_host_name(h) for h in dict.fromkeys((*LOCAL_HOSTS, name, *hosts))]
        cert = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CQX"),
                        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role.value),
                        x509.NameAttribute(NameOID.COMMON_NAME, name),
                    ]
                )
            )
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(principal.serial)
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + lifetime)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]
                    if role is Role.SERVICE
                    else [ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        _write_private(self.directory / f"{name}.key", _key_pem(key))
        (self.directory / f"{name}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        issued = Issued(
            f"{principal.serial:x}", principal.id, participant, (now + lifetime).isoformat()
        )
        self._save_index([*self.index(), issued])
        return principal

    def revoke(self, name: str, reason: str = "") -> list[Issued]:
        """Revoke every certificate of ``name`` not revoked yet; what was revoked. The new
        revocation list takes effect at every service's next call."""
        revoked: list[Issued] = []
        index = self.index()
        when = _now().isoformat()
        for i, entry in enumerate(index):
            if entry.principal.split(":", 1)[1] == name and entry.revoked_at is None:
                index[i] = Issued(**{**asdict(entry), "revoked_at": when, "revoked_reason": reason})
                revoked.append(index[i])
        if not revoked:
            raise LookupError(f"no unrevoked certificate of {name!r} in {self.directory}")
        self._save_index(index)
        self.write_crl()
        return revoked

    def write_crl(self) -> None:
        """Write ``revoked.crl`` from the index, signed by the authority."""
        ca_cert, ca_key = self._ca()
        now = _now()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca_cert.subject)
            .last_update(now)
            .next_update(now + dt.timedelta(days=CRL_DAYS))
        )
        for entry in self.index():
            if entry.revoked_at is not None:
                builder = builder.add_revoked_certificate(
                    x509.RevokedCertificateBuilder()
                    .serial_number(int(entry.serial, 16))
                    .revocation_date(dt.datetime.fromisoformat(entry.revoked_at))
                    .build()
                )
        crl = builder.sign(ca_key, hashes.SHA256())
        temporary = self.crl_path.with_suffix(".tmp")
        temporary.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
        temporary.replace(self.crl_path)  # readers see the old list or the new, never half

    # -- the index -----------------------------------------------------------------------

    def index(self) -> list[Issued]:
        """Every certificate issued, oldest first."""
        path = self.directory / "index.json"
        if not path.exists():
            return []
        return [Issued(**entry) for entry in json.loads(path.read_text())]

    def _save_index(self, entries: list[Issued]) -> None:
        text = json.dumps([asdict(e) for e in entries], indent=1) + "\n"
        (self.directory / "index.json").write_text(text)

    def _holder_of(self, name: str) -> Role | None:
        for entry in self.index():
            role, _, held = entry.principal.partition(":")
            if held == name:
                return Role(role)
        return None


def _host_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)
