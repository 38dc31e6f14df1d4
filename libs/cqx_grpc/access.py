"""Who may call an operator's method: the caller that presents the operator's token.

Each service names its operator methods (open a trading day, deposit cash, issue an
allocation, ...). A server given a token refuses those methods with PERMISSION_DENIED
(reason ``OPERATOR_ONLY``) unless the call's ``x-operator-token`` metadata equals it; a server
given none leaves them open (a local demo), and says so in its log at start.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

from google.protobuf.descriptor import ServiceDescriptor

from cqx_grpc.context import CallMetadata
from cqx_kernel.errors import PermissionDeniedError


def method_paths(service: ServiceDescriptor, methods: Iterable[str]) -> frozenset[str]:
    """``/<service>/<method>`` for each method: how a call names what it invokes (a name the
    service does not have is a ValueError, so a typo cannot leave a method open)."""
    unknown = sorted(set(methods) - set(service.methods_by_name))
    if unknown:
        raise ValueError(f"{service.full_name} has no method {', '.join(unknown)}")
    return frozenset(f"/{service.full_name}/{m}" for m in methods)


@dataclass(frozen=True)
class OperatorAccess:
    """The operator's methods (full paths) and the token that opens them (None: all open)."""

    methods: frozenset[str] = frozenset()
    token: str | None = field(default=None, repr=False)

    @property
    def guarded(self) -> bool:
        """Whether the operator's methods need the token."""
        return self.token is not None and bool(self.methods)

    def refusal(self, method: str, call: CallMetadata) -> PermissionDeniedError | None:
        """Why ``call`` may not invoke ``method``, or None if it may."""
        if self.token is None or method not in self.methods:
            return None
        if hmac.compare_digest((call.operator_token or "").encode(), self.token.encode()):
            return None
        name = method.rsplit("/", 1)[-1]
        return PermissionDeniedError(
            f"{name} is for the operator: send the operator's token (x-operator-token, "
            "CQX_OPERATOR_TOKEN for the SDK and the cqx command line)",
            reason="OPERATOR_ONLY",
            metadata={"method": name},
        )
