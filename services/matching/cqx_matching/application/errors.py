"""How a refusal reaches the client: the error kind of each rejection reason.

Every error here derives from the domain's root :class:`MatchingError` and from the kind the
API edge maps to a status code. The engine's reasons are codes (rejections are events); this
module picks the kind: NOT_FOUND for something named that does not exist, ALREADY_EXISTS for a
reused id, INVALID_ARGUMENT for a malformed request, FAILED_PRECONDITION for a trading rule.
"""

from __future__ import annotations

from collections.abc import Mapping

from cqx_kernel.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    UnavailableError,
)
from cqx_matching.domain import MatchingError, Reason, details_of


class InvalidMatchingRequestError(MatchingError, InvalidArgumentError):
    """The request is malformed; nothing was recorded."""

    default_reason = "INVALID_ARGUMENT"


class MatchingNotFoundError(MatchingError, NotFoundError):
    """The request names an instrument, order, negotiation or auction that does not exist."""

    default_reason = "NOT_FOUND"


class MatchingDuplicateError(MatchingError, AlreadyExistsError):
    """An id was used before."""

    default_reason = "DUPLICATE_ID"


class TradingRuleError(MatchingError, FailedPreconditionError):
    """The request broke a trading rule (its rejection is recorded)."""

    default_reason = "FAILED_PRECONDITION"


class ExchangeRestartingError(MatchingError, UnavailableError):
    """The in-memory exchange can no longer be trusted; the process restarts and rebuilds."""

    default_reason = "SERVICE_RESTARTING"


NOT_FOUND_REASONS = frozenset(
    {
        Reason.UNKNOWN_INSTRUMENT,
        Reason.ORDER_NOT_FOUND,
        Reason.MAKER_NOT_FOUND,
        Reason.NEGOTIATION_NOT_FOUND,
        Reason.AUCTION_NOT_FOUND,
        Reason.ACCOUNT_NOT_FOUND,
    }
)
INVALID_REASONS = frozenset(
    {
        Reason.QUANTITY_NOT_POSITIVE,
        Reason.AMOUNT_NOT_POSITIVE,
        Reason.PRICE_REQUIRED,
        Reason.PRICE_NOT_ALLOWED,
        Reason.PRICE_NOT_POSITIVE,
        Reason.PRICE_NOT_ON_TICK,
        Reason.INVALID_ORDER_TYPE,
        Reason.BIDDING_WINDOW_INVALID,
    }
)


def rejection_error(reason: str, subject: Mapping[str, str]) -> MatchingError:
    """The error a client gets for a recorded rejection with ``reason``: the ``subject``
    (order, instrument) and, where the rule has them, what was allowed, in the metadata
    (integer fen and tonnes) and in the message (CNY)."""
    explanation, details = details_of(reason)
    reason = str(reason)
    message = explanation or f"rejected: {reason}"
    metadata = {**subject, **details}
    if reason in NOT_FOUND_REASONS:
        return MatchingNotFoundError(message, reason=reason, metadata=metadata)
    if reason == Reason.DUPLICATE_ID:
        return MatchingDuplicateError(message, reason=reason, metadata=metadata)
    if reason in INVALID_REASONS:
        return InvalidMatchingRequestError(message, reason=reason, metadata=metadata)
    return TradingRuleError(message, reason=reason, metadata=metadata)


def invalid(message: str, reason: str, **metadata: str) -> InvalidMatchingRequestError:
    """A malformed request: INVALID_ARGUMENT with ``reason``; nothing is recorded."""
    return InvalidMatchingRequestError(message, reason=reason, metadata=metadata)
