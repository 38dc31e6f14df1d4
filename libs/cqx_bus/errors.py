"""Errors of the bus library."""

from __future__ import annotations

from cqx_kernel.errors import CqxError, InvalidArgumentError


class BusError(CqxError):
    """Root of the bus library's errors."""

    default_reason = "BUS_ERROR"


class UnusableMessageError(BusError):
    """A message the consumer cannot act on: it goes to the dead letters with this reason,
    and the consumer goes on (a handler raises it; the consumer never stops for it)."""

    default_reason = "UNUSABLE_MESSAGE"


class UndecodableMessageError(UnusableMessageError, InvalidArgumentError):
    """A message on a CQX topic is not a well-formed event envelope."""

    default_reason = "UNDECODABLE_MESSAGE"
