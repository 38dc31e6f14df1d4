"""Who may call what: the one policy of every CQX RPC, and how it is applied.

For each RPC (by its full path), :data:`RULES` says which roles may call it and, for a member,
which request fields must name something of its own participant: an account (``account``),
or a thing of an account — an order, a withdrawal, a trade (either side), a block negotiation
(either party; an open quote is anyone's), an allocation entity. Operators do the operator's
work; auditors read everything and change nothing; market data is open to every
authenticated principal; a method not listed is refused to everyone (health and reflection
aside). A member is checked for ownership before any other rule runs, and a refusal says the
same for another's account and for one that does not exist, so it tells nothing about either.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from cqx_identity.principal import Principal, Role
from cqx_kernel.errors import PermissionDeniedError

OPEN_PREFIXES = ("/grpc.health.v1.", "/grpc.reflection.")
PUBLIC = frozenset({"*"})  # what a resolver answers for a thing every member may see

Resolver = Callable[[str], Collection[str] | None]
"""The accounts a thing involves (None: no such thing here; :data:`PUBLIC`: anyone's)."""


@dataclass(frozen=True)
class Owned:
    """A request field that must name something of the member's own participant."""

    field: str
    kind: str = "account"  # account, participant, or a kind the service resolves
    # A filter (empty: everyone's) must name the member's own; an empty id in an action
    # names nothing of anyone's, and the service refuses it as the bad input it is.
    is_filter: bool = False


@dataclass(frozen=True)
class Rule:
    """Who may call one RPC, and what of a member's request must be its own."""

    roles: frozenset[Role]
    owned: tuple[Owned, ...] = ()


@dataclass
class Ownership:
    """What a service knows of who owns what: an account's participant, and the accounts a
    thing of each kind involves."""

    owner_of: Callable[[str], str | None]
    things: Mapping[str, Resolver] = field(default_factory=dict)


class Policy:
    """:data:`RULES` applied with a service's :class:`Ownership` (the gate's authorizer)."""

    def __init__(self, ownership: Ownership, rules: Mapping[str, Rule] | None = None) -> None:
        self.ownership = ownership
        self.rules = RULES if rules is None else rules

    def authorize(self, method: str, principal: Principal, request: Any) -> None:
        """Raise PermissionDeniedError unless ``principal`` may call ``method`` so."""
        rule = self.rules.get(method)
        name = method.rsplit("/", 1)[-1]
        if rule is None:
            if method.startswith(OPEN_PREFIXES):
                return
            raise PermissionDeniedError(
                f"{name} is not open to anyone: it has no rule in the policy",
                reason="METHOD_NOT_IN_POLICY",
                metadata={"method": name},
            )
        if principal.role not in rule.roles:
            allowed = ", ".join(sorted(r.value for r in rule.roles))
            raise PermissionDeniedError(
                f"{name} is for: {allowed}; {principal.id} is {_article(principal.role.value)}",
                reason="ROLE_NOT_ALLOWED",
                metadata={"method": name, "allowed_roles": allowed, "principal": principal.id},
            )
        if principal.role is Role.MEMBER:
            for owned in rule.owned:
                self._check_own(name, principal, owned, request)

    def _check_own(self, name: str, principal: Principal, owned: Owned, request: Any) -> None:
        participant = principal.participant or ""
        if request is None:  # a streamed request: no field to read here
            raise PermissionDeniedError(
                f"{name} is not open to members as a stream", reason="ROLE_NOT_ALLOWED"
            )
        value = str(getattr(request, owned.field, "") or "")
        if not value:
            if not owned.is_filter:
                return
            raise PermissionDeniedError(
                f"{name}: a member names its own {owned.kind} in {owned.field} "
                f"(one of participant {participant}'s)",
                reason="OWN_ACCOUNT_REQUIRED",
                metadata={"field": owned.field, "participant": participant},
            )
        if self._owns(participant, owned.kind, value):
            return
        raise PermissionDeniedError(
            f"{owned.field} {value!r} is not {_article(owned.kind)} of participant {participant}",
            reason="NOT_YOUR_ACCOUNT" if owned.kind == "account" else "NOT_YOURS",
            metadata={"field": owned.field, "participant": participant},
        )

    def _owns(self, participant: str, kind: str, value: str) -> bool:
        if kind == "participant":
            return value == participant
        if kind == "account":
            accounts: Collection[str] | None = (value,)
        else:
            resolve = self.ownership.things.get(kind)
            accounts = resolve(value) if resolve is not None else None
        if accounts is None:
            return False
        if accounts is PUBLIC:
            return True
        return any(self.ownership.owner_of(a) == participant for a in accounts)


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


# --- the policy ---------------------------------------------------------------------------

MEMBER, OPERATOR, AUDITOR, SERVICE = Role.MEMBER, Role.OPERATOR, Role.AUDITOR, Role.SERVICE
OPERATORS = frozenset({OPERATOR})
READERS = frozenset({OPERATOR, AUDITOR})
MEMBERS = frozenset({MEMBER})
EVERYONE = frozenset(Role)


def _operator() -> Rule:
    return Rule(OPERATORS)


def _read() -> Rule:
    return Rule(READERS)


def _member(*owned: Owned) -> Rule:
    """A member's action on what is its own (``account_id`` when nothing is named)."""
    return Rule(MEMBERS, owned or (Owned("account_id"),))


def _own_read(*owned: Owned) -> Rule:
    """Operators and auditors read any; a member reads its own."""
    return Rule(READERS | MEMBERS, owned or (Owned("account_id"),))


_ORDER = Owned("order_id", "order")
_OWN_FILTER = Owned("account_id", is_filter=True)
_NEGOTIATION = Owned("negotiation_id", "negotiation")

_REGISTRY = {
    "OpenAccount": _operator(),
    "GetAccount": _own_read(),
    "ListAccounts": _read(),
    "GetHoldings": _own_read(),
    "MoveToTrading": _member(),
    "MoveFromTrading": _member(),
    "TransferAllowances": _member(Owned("from_account_id")),
    "Surrender": _member(),
    "CancelAllowances": _member(),
    "Freeze": _operator(),
    "Unfreeze": _operator(),
    "CheckConservation": _read(),
    "RegisterParticipant": _operator(),
    "GetParticipant": _own_read(Owned("participant_id", "participant")),
    "ListParticipants": _read(),
    "RestrictParticipant": _operator(),
    "ReinstateParticipant": _operator(),
}
_ALLOCATION = {
    "RegisterEntity": _operator(),
    "GetEntity": _own_read(Owned("entity_id", "entity")),
    "ListEntities": _read(),
    "OpenComplianceYear": _operator(),
    "SetAllocation": _operator(),
    "IssueAllocation": _operator(),
    "RecordVerifiedEmissions": _operator(),
    "GetComplianceStatus": _own_read(Owned("entity_id", "entity")),
    "ListComplianceStatuses": _read(),
}
_MATCHING = {
    "OpenTradingDay": _operator(),
    "CloseTradingDay": _operator(),
    "GetInstrument": Rule(EVERYONE),
    "PlaceOrder": _member(),
    "TakeListing": _member(),
    "CancelOrder": _member(Owned("account_id"), _ORDER),
    "ReduceOrder": _member(Owned("account_id"), _ORDER),
    "ReplaceOrder": _member(Owned("account_id"), _ORDER),
    "GetOrder": _own_read(_ORDER),
    "ListOrders": _own_read(_OWN_FILTER),
    "GetOrderBook": Rule(EVERYONE),
    "ListTrades": _own_read(_OWN_FILTER),  # a member's own: the tape names both sides
    "GetRiskBalance": _own_read(),
    "ProposeBlockTrade": _member(),
    "CounterBlockTrade": _member(Owned("account_id"), _NEGOTIATION),
    "AcceptBlockTrade": _member(Owned("account_id"), _NEGOTIATION),
    "WithdrawBlockTrade": _member(Owned("account_id"), _NEGOTIATION),
    "GetBlockNegotiation": _own_read(_NEGOTIATION),
    "AnnounceBidding": _member(),
    "SubmitBid": _member(),
    "CloseBidding": _operator(),
    "GetAuction": Rule(EVERYONE),
    "StreamMarketData": Rule(EVERYONE),
    "StreamExecutions": _own_read(_OWN_FILTER),
}
_SETTLEMENT = {
    "DepositFunds": _operator(),
    "RequestWithdrawal": _member(),
    "GetWithdrawal": _own_read(Owned("withdrawal_id", "withdrawal")),
    "GetCashBalance": _own_read(),
    "GetTradeSettlement": _own_read(Owned("trade_id", "trade")),
    "ListSettlements": _read(),
    "CloseSettlementDay": _operator(),
    "GetSettlementDay": _read(),
    "CheckConservation": _read(),
}

_APPROVALS = {
    "ListActions": _read(),
    "ApproveAction": _operator(),
    "RejectAction": _operator(),
}

SERVICES = {
    "cqx.approvals.v1.ApprovalService": _APPROVALS,
    "cqx.registry.v1.RegistryService": _REGISTRY,
    "cqx.allocation.v1.AllocationService": _ALLOCATION,
    "cqx.matching.v1.MatchingService": _MATCHING,
    "cqx.settlement.v1.SettlementService": _SETTLEMENT,
}

RULES: Mapping[str, Rule] = {
    f"/{service}/{method}": rule
    for service, methods in SERVICES.items()
    for method, rule in methods.items()
}


FOUR_EYES_SERVICES = (
    "cqx.registry.v1.RegistryService",
    "cqx.allocation.v1.AllocationService",
    "cqx.settlement.v1.SettlementService",
)


def operator_methods() -> frozenset[str]:
    """The short names of the operators' methods four eyes may guard: those of the services
    that serve approvals."""
    return frozenset(
        method
        for service in FOUR_EYES_SERVICES
        for method, rule in SERVICES[service].items()
        if rule.roles == OPERATORS
    )
