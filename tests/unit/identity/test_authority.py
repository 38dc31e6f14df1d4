"""The certificate authority: credentials that name their principal, revocation, signing keys."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cqx_identity import (
    CertificateAuthority,
    Principal,
    RevocationList,
    Role,
    SigningKeys,
    principal_of,
    provision_local,
)


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_a_credential_names_its_principal_and_is_signed_by_the_authority(tmp_path: Path) -> None:
    authority = CertificateAuthority(tmp_path)
    authority.create()
    issued = authority.issue(Role.MEMBER, "zhang", participant="shanxi-030", days=30)
    cert = _cert(tmp_path / "zhang.crt")
    assert principal_of(cert) == Principal(Role.MEMBER, "zhang", "shanxi-030", cert.serial_number)
    assert issued.id == "member:zhang"
    cert.verify_directly_issued_by(_cert(tmp_path / "ca.crt"))
    lifetime = cert.not_valid_after_utc - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=29) < lifetime <= dt.timedelta(days=30)
    assert (tmp_path / "zhang.key").stat().st_mode & 0o777 == 0o600


def test_names_roles_and_services_are_checked(tmp_path: Path) -> None:
    authority = CertificateAuthority(tmp_path)
    authority.create()
    with pytest.raises(FileExistsError):
        authority.create()
    with pytest.raises(ValueError, match="one of registry"):
        authority.issue(Role.SERVICE, "mallory")
    with pytest.raises(ValueError, match="a service's name"):
        authority.issue(Role.MEMBER, "registry")
    with pytest.raises(ValueError, match="only a member"):
        authority.issue(Role.OPERATOR, "ops", participant="p")
    with pytest.raises(ValueError, match="1-64 characters"):
        authority.issue(Role.MEMBER, "../etc/passwd")
    authority.issue(Role.OPERATOR, "ops")
    with pytest.raises(ValueError, match="is a operator already"):
        authority.issue(Role.MEMBER, "ops")


def test_a_revoked_credential_is_in_the_list_at_once_and_a_rotated_one_is_not(
    tmp_path: Path,
) -> None:
    authority = provision_local(tmp_path, members=["m1"])
    old = principal_of(_cert(tmp_path / "m1.crt"))
    revocations = RevocationList(tmp_path / "revoked.crl", _cert(tmp_path / "ca.crt"))
    assert not revocations.is_revoked(old.serial)
    authority.revoke("m1", "key lost")
    assert revocations.is_revoked(old.serial)
    rotated = authority.issue(Role.MEMBER, "m1")
    assert not revocations.is_revoked(rotated.serial)
    assert [e.revoked_reason for e in authority.index() if e.principal == "member:m1"] == [
        "key lost",
        None,
    ]


def test_a_revocation_list_not_signed_by_the_authority_is_ignored(tmp_path: Path) -> None:
    authority = provision_local(tmp_path / "real", members=["m1"])
    victim = principal_of(_cert(tmp_path / "real" / "m1.crt"))
    forged = provision_local(tmp_path / "forged", members=["m1"])
    forged.revoke("m1")
    revocations = RevocationList(tmp_path / "forged" / "revoked.crl", _cert(authority.ca_path))
    assert not revocations.is_revoked(victim.serial)


def test_a_signing_key_is_a_signed_note_key_and_rotation_keeps_the_old_one_published(
    tmp_path: Path,
) -> None:
    keys = SigningKeys(tmp_path)
    first = keys.make("registry")
    name, key_id, encoded = first.verifier.split("+", 2)
    raw = base64.b64decode(encoded)
    assert (name, len(key_id), raw[0], len(raw)) == ("cqx/registry", 8, 1, 33)
    Ed25519PublicKey.from_public_bytes(raw[1:]).verify(first.private.sign(b"x"), b"x")
    second = keys.make("registry")
    assert keys.published() == [first.verifier, second.verifier]
    assert keys.load("registry").verifier == second.verifier
