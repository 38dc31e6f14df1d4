"""The root of every CQX error, and the small tree of kinds the API edge maps to gRPC.

Each library and service derives its own root from :class:`CqxError` and its concrete errors
from one of the kinds below. The kind decides the gRPC status code (one place:
``cqx_grpc.errors``); ``reason`` is the UPPER_SNAKE code a client can branch on; ``metadata``
carries the facts a client needs to act (which account, which price band).
"""

from __future__ import annotations

from collections.abc import Mapping


class CqxError(Exception):
    """Root of all CQX errors.

    ``reason`` is a stable UPPER_SNAKE code (e.g. ``PRICE_OUTSIDE_BAND``); ``retriable`` says
    whether the same request may succeed if sent again unchanged.
    """

    default_reason = "CQX_ERROR"
    retriable = False

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.metadata: dict[str, str] = dict(metadata or {})


class InvalidArgumentError(CqxError):
    """The request itself is malformed, whatever the state of the system."""

    default_reason = "INVALID_ARGUMENT"


class NotFoundError(CqxError):
    """The request names something that does not exist."""

    default_reason = "NOT_FOUND"


class AlreadyExistsError(CqxError):
    """The request would create something that exists already."""

    default_reason = "ALREADY_EXISTS"


class FailedPreconditionError(CqxError):
    """The request is well formed, but the state of the system forbids it (a rule)."""

    default_reason = "FAILED_PRECONDITION"


class UnauthenticatedError(CqxError):
    """The caller is not who it must be: no valid credential, or a revoked one."""

    default_reason = "UNAUTHENTICATED"


class PermissionDeniedError(CqxError):
    """The caller may not do this: its role does not allow it, or the account is not its own."""

    default_reason = "PERMISSION_DENIED"


class ConflictError(CqxError):
    """A concurrent change won the race; reading again and retrying may succeed."""

    default_reason = "CONFLICT"
    retriable = True


class UnavailableError(CqxError):
    """A dependency is not reachable right now; retrying later may succeed."""

    default_reason = "UNAVAILABLE"
    retriable = True
