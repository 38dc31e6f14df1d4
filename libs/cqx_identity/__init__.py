"""Identity: the project's certificate authority, principals, TLS credentials, signing keys."""

from cqx_identity.authority import CertificateAuthority, Issued
from cqx_identity.local import LOCAL_AUDITOR, LOCAL_OPERATORS, provision_local
from cqx_identity.principal import (
    SERVICES,
    CertificateUnusableError,
    Principal,
    Role,
    principal_of,
    principal_of_pem,
)
from cqx_identity.revocation import RevocationList
from cqx_identity.signing import SigningKey, SigningKeys
from cqx_identity.tls import TlsFiles

__all__ = [
    "LOCAL_AUDITOR",
    "LOCAL_OPERATORS",
    "SERVICES",
    "CertificateAuthority",
    "CertificateUnusableError",
    "Issued",
    "Principal",
    "RevocationList",
    "Role",
    "SigningKey",
    "SigningKeys",
    "TlsFiles",
    "principal_of",
    "principal_of_pem",
    "provision_local",
]
