"""The tests' certificate authority: made once per test process, in a temporary directory.

Every service a test starts serves mutual TLS with a credential of this authority, and every
client a test opens calls as a principal of it: the local operators (``operator``,
``operator-2``), the ``auditor``, or a member issued on first use (a member named after its
participant, as the tests' accounts are: ``member("acct-1")`` acts for participant acct-1).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

import grpc

from cqx_identity import CertificateAuthority, Role, TlsFiles, provision_local

__all__ = ["Role", "TlsFiles"]  # for tests that name them through this module

OPERATOR = "operator"
OPERATOR_2 = "operator-2"
AUDITOR = "auditor"


@cache
def pki_dir() -> Path:
    """The authority's directory, with the services', operators' and auditor's credentials."""
    directory = Path(tempfile.mkdtemp(prefix="cqx-pki-"))
    atexit.register(shutil.rmtree, directory, True)
    provision_local(directory)
    return directory


def credentials(name: str, role: Role = Role.MEMBER, participant: str | None = None) -> TlsFiles:
    """``name``'s credential, issued now if it has none (a member acts for ``participant``,
    default its own name)."""
    directory = pki_dir()
    files = TlsFiles.in_directory(directory, name)
    if files.missing():
        CertificateAuthority(directory).issue(role, name, participant=participant)
    return files


def member(participant: str) -> TlsFiles:
    """The credential of ``participant``'s member (named after it)."""
    return credentials(participant, Role.MEMBER)


def operator() -> TlsFiles:
    return credentials(OPERATOR, Role.OPERATOR)


def auditor() -> TlsFiles:
    return credentials(AUDITOR, Role.AUDITOR)


def channel(address: str, files: TlsFiles) -> grpc.aio.Channel:
    """An asyncio channel to ``address`` over mutual TLS as ``files``' principal."""
    return grpc.aio.secure_channel(address, files.channel_credentials())


def plaintext(address: str) -> grpc.aio.Channel:
    """A channel with no TLS at all (what an attacker without a credential tries)."""
    return grpc.aio.insecure_channel(address)


def as_env(name: str = OPERATOR) -> dict[str, str]:
    """The environment in which ``cqx`` (and ``CqxClient()``) call as ``name``."""
    roles = {OPERATOR: Role.OPERATOR, OPERATOR_2: Role.OPERATOR, AUDITOR: Role.AUDITOR}
    credentials(name, roles.get(name, Role.MEMBER))
    return {"CQX_PKI_DIR": str(pki_dir()), "CQX_AS": name}
