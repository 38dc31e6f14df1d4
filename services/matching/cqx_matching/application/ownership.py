"""Who owns what at the exchange, for the policy (:mod:`cqx_service.policy`)."""

from __future__ import annotations

from collections.abc import Collection

from cqx_matching.application.app import MatchingApplication
from cqx_service.policy import PUBLIC, Ownership


def ownership_of(app: MatchingApplication) -> Ownership:
    """Who owns what here, for the policy: accounts (from the registry's events), orders,
    and block negotiations (both parties; an open quote with no taker is anyone's)."""

    def order_accounts(order_id: str) -> tuple[str, ...] | None:
        found = app.orders.orders.get(order_id)
        return None if found is None else (found.account,)

    def negotiation_accounts(negotiation_id: str) -> Collection[str] | None:
        found = app.deals.negotiations.get(negotiation_id)
        if found is None:
            return None
        if found.counterparty is None:
            return PUBLIC
        return (found.proposer, found.counterparty)

    return Ownership(
        app.directory.owner_of, {"order": order_accounts, "negotiation": negotiation_accounts}
    )
