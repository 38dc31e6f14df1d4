"""Toy services for tests of the runtime itself (a counter, a tally): served as every service
is, over mutual TLS with every call authenticated, under a policy that names their methods."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping
from typing import Any

from cqx_grpc import Gate, GrpcServer
from cqx_identity import Role, TlsFiles
from cqx_service.policy import Ownership, Policy, Rule
from cqx_service.runtime import ServiceRuntime, Wiring
from tests.support.pki import pki_dir


def toy_rules(service: str, methods: Collection[str]) -> dict[str, Rule]:
    """Every method of ``service`` open to every authenticated principal."""
    return {f"/{service}/{m}": Rule(frozenset(Role)) for m in methods}


class ToyRuntime(ServiceRuntime):
    """A runtime whose server uses a service credential of the test authority (a toy service
    has none of its own) and ``rules`` for its methods."""

    def __init__(self, *args: Any, rules: Mapping[str, Rule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules

    def grpc_server(self, wiring: Wiring) -> GrpcServer:
        tls = TlsFiles.in_directory(pki_dir(), "matching")
        return GrpcServer(
            service_names=wiring.service_names,
            registrations=wiring.registrations,
            gate=Gate(Policy(Ownership(lambda _account: None), self.rules), tls.revocations()),
            tls=tls,
            observer=self.metrics.calls,
        )


def toy(service: str, methods: Collection[str]) -> Callable[..., ServiceRuntime]:
    """The ``runtime_type`` for :func:`tests.support.service_harness.running`."""
    return functools.partial(ToyRuntime, rules=toy_rules(service, methods))
