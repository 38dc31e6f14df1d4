"""Errors of the infrastructure launcher, rooted in the CQX error tree."""

from __future__ import annotations

from cqx_kernel.errors import CqxError, UnavailableError


class InfraError(CqxError):
    """Root of the launcher's errors: the local PostgreSQL or Kafka could not be provided."""

    default_reason = "INFRA_ERROR"


class InfraStartError(InfraError, UnavailableError):
    """A service did not come up: its binary is missing, it exited early or never answered.

    The message names the service and carries the tail of its log, so the cause is visible
    without opening the log file.
    """

    default_reason = "INFRA_START_FAILED"


class InfraAbortedError(InfraError):
    """A start was abandoned because a sibling service failed first."""

    default_reason = "INFRA_START_ABORTED"
