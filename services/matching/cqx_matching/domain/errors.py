"""The matching domain's errors. Rule violations are not errors: they are rejection events."""

from __future__ import annotations

from cqx_kernel.errors import CqxError


class MatchingError(CqxError):
    """Root of the matching service's errors."""

    default_reason = "MATCHING_ERROR"


class InconsistentStateError(MatchingError):
    """An internal invariant of a book or ledger does not hold: a defect, never a rule."""

    default_reason = "INCONSISTENT_STATE"


class UnknownCommandError(MatchingError):
    """The engine was handed something that is not one of its commands."""

    default_reason = "UNKNOWN_COMMAND"


class UndecidableCommandError(MatchingError):
    """A command the engine could not decide (a defect met before anything changed): the
    call fails, the exchange's state is as it was and it goes on trading."""

    default_reason = "COMMAND_NOT_DECIDED"


def check(condition: bool, message: str) -> None:
    """Raise :class:`InconsistentStateError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise InconsistentStateError(message)
