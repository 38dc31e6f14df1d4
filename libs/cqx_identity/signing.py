"""Each service's Ed25519 signing key, and the public keys an outsider checks signatures with.

Keys are named as C2SP ``signed-note`` keys: the name is ``cqx/<service>``, the key id the
first four bytes of SHA-256(name || 0x0A || 0x01 || public key), and the published form the
verifier key ``<name>+<key id, 8 hex digits>+<base64(0x01 || public key)>``. The private key
is ``signing/<service>.key`` in the authority's directory; ``signing-keys.txt`` lists every
verifier key ever made, so that rotating a key keeps what the old one signed verifiable.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cqx_identity.principal import SERVICES

ED25519 = 0x01
KEYS_FILE = "signing-keys.txt"


def key_name(service: str) -> str:
    """The signed-note key name of ``service``'s signing key."""
    return f"cqx/{service}"


def key_id(name: str, public: Ed25519PublicKey) -> int:
    """The signed-note key id: the first four bytes of SHA-256(name, newline, type, key)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + raw).digest()
    return int.from_bytes(digest[:4], "big")


def verifier_key(name: str, public: Ed25519PublicKey) -> str:
    """The signed-note verifier key ``<name>+<id>+<base64 key>``."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    encoded = base64.b64encode(bytes([ED25519]) + raw).decode()
    return f"{name}+{key_id(name, public):08x}+{encoded}"


@dataclass(frozen=True)
class SigningKey:
    """A service's signing key, loaded."""

    name: str
    private: Ed25519PrivateKey

    @property
    def verifier(self) -> str:
        return verifier_key(self.name, self.private.public_key())


class SigningKeys:
    """The signing keys in an authority's directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, service: str) -> Path:
        return self.directory / "signing" / f"{service}.key"

    def make(self, service: str) -> SigningKey:
        """Make (or rotate: replace) ``service``'s key; its verifier key joins the list."""
        if service not in SERVICES:
            raise ValueError(f"a signing key is a service's: one of {', '.join(SERVICES)}")
        private = Ed25519PrivateKey.generate()
        path = self.path(service)
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        path.with_suffix(".tmp").replace(path)
        key = SigningKey(key_name(service), private)
        with (self.directory / KEYS_FILE).open("a") as out:
            out.write(key.verifier + "\n")
        return key

    def load(self, service: str) -> SigningKey:
        """``service``'s current key."""
        private = serialization.load_pem_private_key(self.path(service).read_bytes(), None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"{self.path(service)} is not an Ed25519 key")
        return SigningKey(key_name(service), private)

    def published(self) -> list[str]:
        """Every verifier key made here, oldest first (current and retired)."""
        path = self.directory / KEYS_FILE
        if not path.exists():
            return []
        return [line for line in path.read_text().splitlines() if line.strip()]
