"""The exchange without TLS or authentication, for the end-to-end benchmark's comparison only.

``python -m bench.plaintext_matching`` is ``python -m cqx_matching`` with its gRPC server
built plaintext and ungated: what order entry would cost if nobody were asked who they are.
The product has no such switch; only the benchmark starts this, on the same log, to print
the ratio of orders/s with authentication to orders/s without.
"""

from __future__ import annotations

import sys

from cqx_grpc import GrpcServer
from cqx_matching.__main__ import configure
from cqx_service.logs import configure_logging, log_format
from cqx_service.main import run_event_loop
from cqx_service.runtime import ServiceRuntime, Wiring


class PlaintextRuntime(ServiceRuntime):
    """A runtime whose server speaks plaintext and asks nobody anything."""

    def grpc_server(self, wiring: Wiring) -> GrpcServer:
        return GrpcServer(
            service_names=wiring.service_names,
            registrations=wiring.registrations,
            observer=self.metrics.calls,
        )


def main() -> int:
    settings, build = configure()
    configure_logging("matching", log_format())
    run_event_loop(PlaintextRuntime(settings, build).run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
