"""Who may call: every call is authenticated (mutual TLS), then authorised by the policy.

The :class:`Gate` is what the edge interceptor asks, for each call, before its handler runs:
:meth:`Gate.authenticate` reads the client certificate TLS verified (the project's authority
issued it) and names its principal, refusing a revoked one; the ``authorizer`` (the policy of
:mod:`cqx_service.policy`) then says whether that principal may call that method with that
request. A refusal is UNAUTHENTICATED or PERMISSION_DENIED with a reason, and nothing runs.
"""

from __future__ import annotations

from typing import Any, Protocol

from cqx_identity.principal import CertificateUnusableError, Principal, principal_of_pem
from cqx_identity.revocation import RevocationList
from cqx_kernel.errors import UnauthenticatedError

PEM_PROPERTY = "x509_pem_cert"


class Authorizer(Protocol):
    """Says whether ``principal`` may call ``method`` with ``request`` (None: a streamed
    request, authorised by role alone here); raises PermissionDeniedError if not."""

    def authorize(self, method: str, principal: Principal, request: Any) -> None: ...


class Gate:
    """Authentication by the client's certificate, then the authorizer (see the module)."""

    def __init__(
        self, authorizer: Authorizer | None, revocations: RevocationList | None = None
    ) -> None:
        self.authorizer = authorizer
        self.revocations = revocations

    def authenticate(self, context: Any) -> Principal:
        """The principal the call's client certificate names; raises UnauthenticatedError."""
        try:
            pems = context.auth_context().get(PEM_PROPERTY) or ()
        except Exception:
            pems = ()
        if not pems:
            raise UnauthenticatedError(
                "a client certificate issued by the CQX authority is required "
                "(mutual TLS: see docs/identity.md)",
                reason="CERTIFICATE_REQUIRED",
            )
        try:
            principal = principal_of_pem(bytes(pems[0]))
        except CertificateUnusableError as error:
            raise UnauthenticatedError(
                f"the client certificate is not a CQX credential: {error}",
                reason="CERTIFICATE_UNUSABLE",
            ) from None
        self.check_still_valid(principal)
        return principal

    def check_still_valid(self, principal: Principal | None) -> None:
        """Raise if ``principal``'s credential is revoked (checked before each message of a
        stream too, so an open stream ends at its next message)."""
        if principal is None or self.revocations is None:
            return
        if self.revocations.is_revoked(principal.serial):
            raise UnauthenticatedError(
                f"the credential of {principal.id} (serial {principal.serial:x}) is revoked",
                reason="CREDENTIAL_REVOKED",
                metadata={"principal": principal.id, "serial": f"{principal.serial:x}"},
            )

    def authorize(self, method: str, principal: Principal, request: Any) -> None:
        """Raise if the policy refuses ``principal`` this call (no authorizer: all allowed)."""
        if self.authorizer is not None:
            self.authorizer.authorize(method, principal, request)
