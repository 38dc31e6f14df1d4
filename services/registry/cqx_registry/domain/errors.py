"""The registry's errors: one root, each a kind the API edge maps to a gRPC status code."""

from __future__ import annotations

from collections.abc import Mapping

from cqx_kernel.errors import (
    AlreadyExistsError,
    CqxError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)


class RegistryError(CqxError):
    """Root of the registry's errors."""

    default_reason = "REGISTRY_ERROR"


class InvalidRequestError(RegistryError, InvalidArgumentError):
    """The request is malformed whatever the registry holds (a bad id, code or quantity)."""

    default_reason = "INVALID_ARGUMENT"


class UnknownError(RegistryError, NotFoundError):
    """The request names an account or a freeze the registry does not know."""

    default_reason = "NOT_FOUND"


class DuplicateError(RegistryError, AlreadyExistsError):
    """The request would open an account that exists already."""

    default_reason = "ACCOUNT_ALREADY_EXISTS"


class RuleViolationError(RegistryError, FailedPreconditionError):
    """The request is well formed but the holdings or a rule forbid it."""

    default_reason = "FAILED_PRECONDITION"


def invalid(message: str, reason: str, **facts: str) -> InvalidRequestError:
    """An INVALID_ARGUMENT error with ``reason`` and the facts a client needs."""
    return InvalidRequestError(message, reason=reason, metadata=facts)


def unknown(message: str, reason: str, **facts: str) -> UnknownError:
    """A NOT_FOUND error with ``reason``."""
    return UnknownError(message, reason=reason, metadata=facts)


def violation(
    message: str, reason: str, facts: Mapping[str, str] | None = None
) -> RuleViolationError:
    """A FAILED_PRECONDITION error with ``reason``."""
    return RuleViolationError(message, reason=reason, metadata=facts)


def duplicate(message: str, reason: str, **facts: str) -> DuplicateError:
    """An ALREADY_EXISTS error with ``reason``."""
    return DuplicateError(message, reason=reason, metadata=facts)
