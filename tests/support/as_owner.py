"""A stub for tests about what a service does (not about who may ask it): each call is made
as the principal the policy lets make it — the member of the request's account for a
member's action (in the tests, a participant and its one account share an id, unless
``owners`` says otherwise), the operator
for everything else (operators read everything). Tests of the policy itself call with
explicit principals (:mod:`tests.support.pki`), as an attacker would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import grpc

from cqx_identity import Role, TlsFiles
from cqx_identity.principal import NAME_PATTERN
from cqx_service.policy import RULES, Rule
from tests.support.pki import channel, member, operator

S = TypeVar("S")
CALL_SECONDS = 60.0


class AsOwner(Generic[S]):
    """Calls ``stub_type``'s methods on ``address``, each as its owner (see the module)."""

    def __init__(self, stub_type: Callable[[grpc.aio.Channel], S], address: str) -> None:
        self._stub_type = stub_type
        self._address = address
        self._channels: dict[str, grpc.aio.Channel] = {}
        self._stubs: dict[str, S] = {}
        self._service = _service_name(stub_type)
        self.owners: dict[str, str] = {}  # account → participant, where they differ

    def as_(self, files: TlsFiles) -> S:
        """The stub as ``files``' principal."""
        key = str(files.cert)
        if key not in self._stubs:
            self._channels[key] = channel(self._address, files)
            self._stubs[key] = self._stub_type(self._channels[key])
        return self._stubs[key]

    def __getattr__(self, method: str) -> Any:
        rule = RULES.get(f"/{self._service}/{method}")
        if rule is None:
            raise AttributeError(method)

        def call(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not method.startswith("Stream"):  # a hung call fails the test, not the suite
                kwargs.setdefault("timeout", CALL_SECONDS)
            stub = self.as_(_caller(rule, request, self.owners))
            return getattr(stub, method)(request, *args, **kwargs)

        return call

    async def close(self) -> None:
        for opened in self._channels.values():
            await opened.close()


def _caller(rule: Rule, request: Any, owners: dict[str, str]) -> TlsFiles:
    if Role.MEMBER in rule.roles and Role.OPERATOR not in rule.roles:
        for owned in rule.owned:
            if owned.kind == "account":
                account = owners.get(getattr(request, owned.field), getattr(request, owned.field))
                return member(account if NAME_PATTERN.match(account) else "someone")
    return operator()


def _service_name(stub_type: Callable[..., Any]) -> str:
    name = getattr(stub_type, "__name__", "")  # RegistryServiceStub
    module = getattr(stub_type, "__module__", "")  # cqx.registry.v1.registry_service_pb2_grpc
    package = module.rsplit(".", 1)[0]
    return f"{package}.{name.removesuffix('Stub')}"
