"""Who is calling: a principal, as the project's certificate authority wrote it into a certificate.

A certificate names one principal in its subject alternative names, as URIs:
``urn:cqx:<role>:<name>`` always, and ``urn:cqx:participant:<participant>`` for a member (the
participant it acts for). The principal's id, ``<role>:<name>`` (``member:shanxi-030``,
``operator:ops-1``, ``service:registry``), is what events record as their ``actor``.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509

URN_PREFIX = "urn:cqx:"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SERVICES = ("registry", "allocation", "matching", "settlement")


class Role(enum.StrEnum):
    """What a principal may be: a member acts for one participant; an operator runs the market;
    an auditor reads everything and changes nothing; a service is one of the four."""

    MEMBER = "member"
    OPERATOR = "operator"
    AUDITOR = "auditor"
    SERVICE = "service"


class CertificateUnusableError(ValueError):
    """A certificate that names no principal the way the authority writes them."""


def check_name(name: str, what: str = "name") -> str:
    """``name`` if it is 1-64 characters of ``[A-Za-z0-9_.-]`` starting with a letter or digit."""
    if not NAME_PATTERN.match(name):
        raise ValueError(
            f"{what} {name!r} must be 1-64 characters of A-Z a-z 0-9 _ . - "
            "starting with a letter or digit"
        )
    return name


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: its role, name, participant (members only) and the serial
    number of the certificate it presented (what a revocation names)."""

    role: Role
    name: str
    participant: str | None = None
    serial: int = 0

    @property
    def id(self) -> str:
        """``<role>:<name>``: the actor events record, and the scope of its request ids."""
        return f"{self.role.value}:{self.name}"

    def uris(self) -> list[str]:
        """The subject alternative name URIs that carry this principal."""
        uris = [f"{URN_PREFIX}{self.role.value}:{self.name}"]
        if self.participant is not None:
            uris.append(f"{URN_PREFIX}participant:{self.participant}")
        return uris

    def __str__(self) -> str:
        return self.id


def principal_of(certificate: x509.Certificate) -> Principal:
    """The principal ``certificate`` names; :class:`CertificateUnusableError` if none."""
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        raise CertificateUnusableError("the certificate has no subject alternative names") from None
    role: Role | None = None
    name = participant = None
    for uri in san.value.get_values_for_type(x509.UniformResourceIdentifier):
        if not uri.startswith(URN_PREFIX):
            continue
        kind, _, value = uri[len(URN_PREFIX) :].partition(":")
        if kind == "participant":
            participant = value
        elif kind in Role._value2member_map_:
            if role is not None:
                raise CertificateUnusableError("the certificate names two principals")
            role, name = Role(kind), value
    if role is None or not name or not NAME_PATTERN.match(name):
        raise CertificateUnusableError("the certificate names no CQX principal")
    if (role is Role.MEMBER) != (participant is not None):
        raise CertificateUnusableError("a member's certificate, and only one, names a participant")
    return Principal(role, name, participant, certificate.serial_number)


@lru_cache(maxsize=4096)
def principal_of_pem(pem: bytes) -> Principal:
    """:func:`principal_of` a PEM certificate (cached: a connection presents the same one)."""
    return principal_of(x509.load_pem_x509_certificate(pem))
