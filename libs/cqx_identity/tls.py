"""TLS credentials from a principal's files: a server's (mutual TLS: it asks every client for
a certificate of the same authority) and a client's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc
from cryptography import x509

from cqx_identity.revocation import RevocationList


@dataclass(frozen=True)
class TlsFiles:
    """Where a principal's credential and the authority's certificate are."""

    ca: Path
    cert: Path
    key: Path
    crl: Path | None = None

    @classmethod
    def in_directory(cls, directory: Path, name: str) -> TlsFiles:
        """``name``'s files in an authority's directory (see :mod:`cqx_identity.authority`)."""
        d = Path(directory)
        return cls(d / "ca.crt", d / f"{name}.crt", d / f"{name}.key", d / "revoked.crl")

    def missing(self) -> list[Path]:
        """The files that are not there."""
        return [p for p in (self.ca, self.cert, self.key) if not p.is_file()]

    def check(self) -> TlsFiles:
        """These files, or a :class:`FileNotFoundError` naming the missing ones."""
        missing = self.missing()
        if missing:
            raise FileNotFoundError(
                "missing TLS files: "
                + ", ".join(str(p) for p in missing)
                + " (issue a credential with `python -m cqx_identity issue ...`)"
            )
        return self

    def server_credentials(self) -> grpc.ServerCredentials:
        """Mutual TLS: this server's certificate; every client must present one of the CA's."""
        self.check()
        return grpc.ssl_server_credentials(
            [(self.key.read_bytes(), self.cert.read_bytes())],
            root_certificates=self.ca.read_bytes(),
            require_client_auth=True,
        )

    def channel_credentials(self) -> grpc.ChannelCredentials:
        """A client's: trust the CA's servers, present this certificate."""
        self.check()
        return grpc.ssl_channel_credentials(
            root_certificates=self.ca.read_bytes(),
            private_key=self.key.read_bytes(),
            certificate_chain=self.cert.read_bytes(),
        )

    def revocations(self) -> RevocationList:
        """The revocation list next to the CA's certificate (none revoked if absent)."""
        ca = x509.load_pem_x509_certificate(self.ca.read_bytes())
        crl = self.crl if self.crl is not None else self.ca.parent / "revoked.crl"
        return RevocationList(crl, ca)
