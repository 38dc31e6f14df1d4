"""Server bootstrap: one asyncio gRPC server with health, reflection and graceful shutdown.

Every CQX server is built the same way: the service's servicers, the
:class:`~cqx_grpc.errors.ApiEdgeInterceptor` first (so errors are mapped, and every call is
authenticated and authorised, in one place), the gRPC health service and server reflection,
on a mutual-TLS port (a server without TLS files is for the library's own tests). Each
service starts NOT_SERVING and the caller marks it SERVING once its projections have caught
up; the overall ("") status is SERVING exactly when every service is. On SIGTERM or SIGINT
the server reports NOT_SERVING, stops accepting calls and lets the calls in flight finish
within the grace period."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from cqx_grpc.access import Gate
from cqx_grpc.errors import ApiEdgeInterceptor
from cqx_grpc.observe import CallObserver
from cqx_identity.tls import TlsFiles

ServicerRegistration = Callable[[Any], None]
"""Adds servicers to a ``grpc.aio.Server``, e.g. ``lambda s: add_FooServicer_to_server(f, s)``."""

HEALTH_SERVICE_NAME: str = health.SERVICE_NAME
REFLECTION_SERVICE_NAME: str = reflection.SERVICE_NAME
OVERALL_HEALTH = ""

_SERVING = health_pb2.HealthCheckResponse.SERVING
_NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class GrpcServer:
    """An asyncio gRPC server for the named services, with health and reflection.

    ``service_names`` are full proto names (``cqx.registry.v1.RegistryService``); they are
    reported by health and reflection. ``registrations`` add the servicers; ``interceptors``
    run inside the edge interceptor, so what they raise is mapped too; ``observer`` (if any)
    counts, times and logs every call there. ``tls`` (the server's credential) makes the
    port mutual TLS, and ``gate`` authenticates and authorises each call.
    """

    def __init__(
        self,
        *,
        service_names: Sequence[str],
        registrations: Sequence[ServicerRegistration],
        interceptors: Sequence[Any] = (),
        options: Sequence[tuple[str, Any]] = (),
        gate: Gate | None = None,
        tls: TlsFiles | None = None,
        observer: CallObserver | None = None,
    ) -> None:
        self._service_names = tuple(service_names)
        self._registrations = tuple(registrations)
        self._interceptors = (ApiEdgeInterceptor(gate, observer), *interceptors)
        self._tls = tls
        self._options = tuple(options)
        self._serving = dict.fromkeys(self._service_names, False)
        self._health = health.aio.HealthServicer()
        self._server: Any = None
        self._port: int | None = None

    @property
    def service_names(self) -> tuple[str, ...]:
        """The full names of the services this server offers (health and reflection aside)."""
        return self._service_names

    @property
    def port(self) -> int:
        """The port :meth:`start` bound; raises :class:`RuntimeError` before that."""
        if self._port is None:
            raise RuntimeError("the server has not been started")
        return self._port

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Bind ``host:port`` (port 0 picks a free one), start serving, return the bound port."""
        if self._server is not None:
            raise RuntimeError("the server was started already")
        server = grpc.aio.server(interceptors=self._interceptors, options=self._options)
        for register in self._registrations:
            register(server)
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        reflection.enable_server_reflection(
            (*self._service_names, HEALTH_SERVICE_NAME, REFLECTION_SERVICE_NAME), server
        )
        address = _address(host, port)
        if self._tls is None:
            bound_port = int(server.add_insecure_port(address))
        else:
            bound_port = int(server.add_secure_port(address, self._tls.server_credentials()))
        if bound_port == 0:
            raise RuntimeError(f"could not bind {address}")
        await self._publish_health()
        await server.start()
        self._server, self._port = server, bound_port
        return bound_port

    async def set_serving(self, service_name: str | None = None) -> None:
        """Report ``service_name`` (every service if None) as SERVING."""
        await self._set(service_name, serving=True)

    async def set_not_serving(self, service_name: str | None = None) -> None:
        """Report ``service_name`` (every service if None) as NOT_SERVING."""
        await self._set(service_name, serving=False)

    async def set_condition(self, name: str, ok: bool) -> None:
        """Report a condition of the server under health name ``name`` (e.g. the provenance
        of one source's events) without changing the services' or the overall status."""
        await self._health.set(name, _SERVING if ok else _NOT_SERVING)

    async def stop(self, grace: float) -> None:
        """Report NOT_SERVING, refuse new calls, give calls in flight ``grace`` seconds."""
        await self._health.enter_graceful_shutdown()
        if self._server is not None:
            await self._server.stop(grace)

    async def serve_until_signal(self, grace: float) -> None:
        """Serve until SIGTERM or SIGINT arrives, then :meth:`stop` with ``grace``; return.

        The handlers are installed before this coroutine first yields, so a signal sent
        after the caller has scheduled anything on the loop is always handled here.
        """
        loop = asyncio.get_running_loop()
        stop_requested = asyncio.Event()
        signals = (signal.SIGTERM, signal.SIGINT)
        for signum in signals:
            loop.add_signal_handler(signum, stop_requested.set)
        try:
            await stop_requested.wait()
        finally:
            for signum in signals:
                loop.remove_signal_handler(signum)
        await self.stop(grace)

    async def _set(self, service_name: str | None, *, serving: bool) -> None:
        names = self._service_names if service_name is None else (service_name,)
        unknown = [name for name in names if name not in self._serving]
        if unknown:
            raise ValueError(f"not a service of this server: {', '.join(unknown)}")
        for name in names:
            self._serving[name] = serving
        await self._publish_health()

    async def _publish_health(self) -> None:
        for name, serving in self._serving.items():
            await self._health.set(name, _SERVING if serving else _NOT_SERVING)
        overall = all(self._serving.values())
        await self._health.set(OVERALL_HEALTH, _SERVING if overall else _NOT_SERVING)


def _address(host: str, port: int) -> str:
    """``host:port``, with an IPv6 literal host in brackets."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"
