"""Errors of the bus library."""

from __future__ import annotations

from cqx_kernel.errors import CqxError, InvalidArgumentError


class BusError(CqxError):
    """Root of the bus library's errors."""

    default_reason = "BUS_ERROR"


class UndecodableMessageError(BusError, InvalidArgumentError):
    """A message on a CQX topic is not a well-formed event envelope."""

    default_reason = "UNDECODABLE_MESSAGE"
