"""The allocation domain's errors: one root, each also one of the kernel's kinds."""

from __future__ import annotations

from cqx_kernel.errors import (
    AlreadyExistsError,
    CqxError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)


class AllocationError(CqxError):
    """Root of the allocation service's errors."""

    default_reason = "ALLOCATION_ERROR"


class InvalidAllocationRequestError(AllocationError, InvalidArgumentError):
    """A request is malformed (a bad id, a year out of range, a negative quantity)."""

    default_reason = "INVALID_ARGUMENT"


class EntityNotFoundError(AllocationError, NotFoundError):
    """No covered entity is registered with the id."""

    default_reason = "ENTITY_NOT_FOUND"


class EntityAlreadyExistsError(AllocationError, AlreadyExistsError):
    """A covered entity is registered with the id already."""

    default_reason = "ENTITY_ALREADY_EXISTS"


class AccountAlreadyLinkedError(AllocationError, AlreadyExistsError):
    """Another entity holds the registry account: surrenders must name one entity (R-A1)."""

    default_reason = "ACCOUNT_ALREADY_LINKED"


class YearAlreadyOpenError(AllocationError, AlreadyExistsError):
    """The compliance year is open already."""

    default_reason = "YEAR_ALREADY_OPEN"


class YearNotOpenError(AllocationError, FailedPreconditionError):
    """The compliance year has not been opened."""

    default_reason = "YEAR_NOT_OPEN"


class NothingToIssueError(AllocationError, FailedPreconditionError):
    """Everything allocated for the year has been issued already."""

    default_reason = "NOTHING_TO_ISSUE"
