"""A gRPC echo server: the ceiling the end-to-end benchmark compares order entry with.

``python -m bench.echo_server PORT [PKI_DIR]`` serves ``/cqx.bench.v1.Echo/Echo`` (bytes in,
the same bytes out) on 127.0.0.1:PORT until terminated: the cost of a unary gRPC call on this
machine, with nothing behind it; with PKI_DIR, over mutual TLS with the matching service's
credential, as the services serve.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grpc

from cqx_identity import TlsFiles
from cqx_service.main import run_event_loop


async def serve(port: int, pki_dir: str | None = None) -> None:
    """Serve until cancelled."""

    async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return request

    server = grpc.aio.server()
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                "cqx.bench.v1.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}
            ),
        )
    )
    if pki_dir is None:
        server.add_insecure_port(f"127.0.0.1:{port}")
    else:
        tls = TlsFiles.in_directory(Path(pki_dir), "matching")
        server.add_secure_port(f"127.0.0.1:{port}", tls.server_credentials())
    await server.start()
    await server.wait_for_termination()


if __name__ == "__main__":
    run_event_loop(serve(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None))
