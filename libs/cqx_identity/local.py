"""Everything a local system needs, made once into one directory (``make run``, the tests)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cqx_identity.authority import CertificateAuthority
from cqx_identity.principal import SERVICES, Role
from cqx_identity.signing import SigningKeys

LOCAL_OPERATORS = ("operator", "operator-2")  # two, so that four eyes can be shown
LOCAL_AUDITOR = "auditor"


def provision_local(directory: Path, members: Iterable[str] = ()) -> CertificateAuthority:
    """An authority in ``directory`` (made if missing) with a credential and a signing key for
    each service, the local operators and auditor, and a member per participant in
    ``members``; what exists already is kept."""
    authority = CertificateAuthority(directory)
    if not authority.exists():
        authority.create()
    keys = SigningKeys(directory)
    for service in SERVICES:
        if not (Path(directory) / f"{service}.crt").exists():
            authority.issue(Role.SERVICE, service)
        if not keys.path(service).exists():
            keys.make(service)
    wanted = [(Role.OPERATOR, n) for n in LOCAL_OPERATORS] + [(Role.AUDITOR, LOCAL_AUDITOR)]
    wanted += [(Role.MEMBER, m) for m in members]
    for role, name in wanted:
        if not (Path(directory) / f"{name}.crt").exists():
            authority.issue(role, name)
    return authority
