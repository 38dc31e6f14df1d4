"""What each service may read on the bus follows from its foreign-event table: a deployment's
setup job provisions exactly these (docs/operations.md, `python -m cqx_bus provision … --consumes
…`), and a service that starts consuming another context fails here until they are updated."""

from __future__ import annotations

import pytest

from cqx_allocation.adapters.foreign import FOREIGN as ALLOCATION
from cqx_bus import KafkaCredentials
from cqx_bus.provision import service_account
from cqx_matching.adapters.foreign import FOREIGN as MATCHING
from cqx_registry.adapters.foreign import FOREIGN as REGISTRY
from cqx_service.foreign import ForeignEvents
from cqx_settlement.adapters.foreign import FOREIGN as SETTLEMENT

CONSUMES = {  # the lists the deployment's setup job passes to --consumes
    "registry": {"allocation", "matching", "settlement"},
    "allocation": {"registry"},
    "matching": {"registry", "settlement"},
    "settlement": {"matching", "registry"},
}
TABLES: dict[str, ForeignEvents[object]] = {
    "registry": REGISTRY, "allocation": ALLOCATION, "matching": MATCHING,
    "settlement": SETTLEMENT,
}  # fmt: skip


@pytest.mark.parametrize("service", sorted(CONSUMES))
def test_a_service_reads_the_topics_of_the_contexts_it_consumes_and_writes_only_its_own(
    service: str,
) -> None:
    assert set(TABLES[service].sources) == CONSUMES[service]
    account = service_account(
        "prod_", service, sorted(CONSUMES[service]), KafkaCredentials(f"prod_{service}", "x")
    )
    writes = {(b.name, b.operation.name) for b in account.bindings() if b.operation.name != "READ"}
    assert writes == {
        (f"cqx.prod_{service}.v1.events", "WRITE"), (f"cqx.prod_{service}.v1.events", "DESCRIBE"),
    }  # fmt: skip
    reads = {b.name for b in account.bindings() if b.operation.name == "READ"}
    assert reads == {f"cqx.prod_{c}.v1.events" for c in CONSUMES[service]} | {f"prod_{service}<-"}
