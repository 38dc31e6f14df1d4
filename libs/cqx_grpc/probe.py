"""Health probe for container health checks:
``python -m cqx_grpc.probe HOST:PORT [SERVICE] --as NAME``.

Asks the gRPC health service (with a 2 s deadline, over mutual TLS as NAME: ``NAME.crt`` in
``$CQX_PKI_DIR``; a service probes itself with its own credential) about SERVICE, or about
the whole server when SERVICE is omitted. Prints ``SERVING`` and exits 0 if so; otherwise
prints one line on stderr saying what it saw (NOT_SERVING, unknown service, refused
connection, ...) and exits 1."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cqx_identity.tls import TlsFiles

DEFAULT_TIMEOUT_SECONDS = 2.0


def check_health(
    target: str,
    credentials: TlsFiles | None,
    service: str = "",
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> str:
    """The health status name (``SERVING``, ``NOT_SERVING``, ...) ``target`` reports.

    Raises :class:`grpc.RpcError` when the server cannot be asked (refused, deadline,
    unknown service).
    """
    channel = (
        grpc.insecure_channel(target)  # a benchmark's plaintext comparison only
        if credentials is None
        else grpc.secure_channel(target, credentials.channel_credentials())
    )
    with channel:
        stub = health_pb2_grpc.HealthStub(channel)
        response = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the probe; return the process exit status (0 SERVING, 1 anything else)."""
    parser = argparse.ArgumentParser(
        prog="python -m cqx_grpc.probe", description="Exit 0 if a gRPC server is SERVING."
    )
    parser.add_argument("target", metavar="HOST:PORT")
    parser.add_argument("service", nargs="?", default="", metavar="SERVICE")
    parser.add_argument("--as", dest="name", required=True, help="whose credential: NAME.crt")
    parser.add_argument("--pki", default=os.environ.get("CQX_PKI_DIR", ".run/pki"))
    args = parser.parse_args(argv)
    subject = f"{args.target} {args.service or '(server)'}"
    files = TlsFiles.in_directory(Path(args.pki), args.name)
    if files.missing():
        print(f"cqx probe: no credential {args.name} in {args.pki}", file=sys.stderr)
        return 1
    try:
        status = check_health(args.target, files, args.service)
    except grpc.RpcError as error:
        print(f"cqx probe: {subject}: {error.code().name}: {error.details()}", file=sys.stderr)
        return 1
    if status != "SERVING":
        print(f"cqx probe: {subject}: {status}", file=sys.stderr)
        return 1
    print(status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
