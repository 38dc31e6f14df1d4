"""The revocation list as a server reads it: re-read whenever the file changes, so a revoked
credential is refused at the next call, by every service that reads the same file."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

log = logging.getLogger("cqx.identity")


class RevocationList:
    """The serial numbers ``crl_path`` revokes, checked against the authority's signature.

    A list that does not verify, cannot be read, or is older than the one in force, is logged
    and ignored: the last good one stays in force (an empty one if there never was one, which
    is logged at start)."""

    def __init__(self, crl_path: Path, ca_certificate: x509.Certificate) -> None:
        self._path = Path(crl_path)
        self._ca_key = ca_certificate.public_key()
        self._stamp: tuple[int, int] | None = None
        self._revoked: frozenset[int] = frozenset()
        self._issued_at: object = None  # the last good list's last_update
        if not self._path.exists():
            log.warning("no revocation list at %s: nothing is revoked until one appears", crl_path)
        self.refresh()

    def is_revoked(self, serial: int) -> bool:
        """Whether the certificate with ``serial`` is revoked (reading the file if it changed)."""
        self.refresh()
        return serial in self._revoked

    def refresh(self) -> None:
        """Read the list again if the file changed since the last read."""
        try:
            stat = os.stat(self._path)
        except FileNotFoundError:
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            crl = x509.load_pem_x509_crl(self._path.read_bytes())
            if not isinstance(self._ca_key, ec.EllipticCurvePublicKey) or not (
                crl.is_signature_valid(self._ca_key)
            ):
                raise ValueError("its signature is not the authority's")
            issued = crl.last_update_utc
            if isinstance(self._issued_at, type(issued)) and issued < self._issued_at:
                raise ValueError("it is older than the list in force (a revocation undone?)")
        except (OSError, ValueError) as error:
            log.error(
                "the revocation list %s is unusable (%s); the last good one stays",
                self._path,
                error,
            )
            return
        self._revoked = frozenset(entry.serial_number for entry in crl)
        self._issued_at = crl.last_update_utc
