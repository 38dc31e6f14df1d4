"""One client for the four services: ``async with CqxClient() as client: ...``."""

from __future__ import annotations

from types import TracebackType

import grpc

from cqx_identity.tls import TlsFiles
from cqx_sdk.allocation import AllocationClient
from cqx_sdk.approvals import FOUR_EYES_SERVICES, ApprovalsClient
from cqx_sdk.channels import (
    DEFAULT_ATTEMPTS,
    DEFAULT_TIMEOUT_SECONDS,
    SERVICES,
    Addresses,
    ServiceChannel,
)
from cqx_sdk.matching import MatchingClient
from cqx_sdk.profiles import resolve
from cqx_sdk.registry import RegistryClient
from cqx_sdk.settlement import SettlementClient


class CqxClient:
    """A channel per service and a facade over each: :attr:`registry`, :attr:`allocation`,
    :attr:`matching`, :attr:`settlement`.

    Every call is made over mutual TLS as the principal of ``credentials``: a profile's name
    (``"shanxi-030"``), files (:class:`~cqx_identity.tls.TlsFiles`), or, when not given,
    the environment's choice (``$CQX_AS``, the config file, ``CQX_CERT``...: see
    :mod:`cqx_sdk.profiles`). The services record that principal as the actor of what it
    does. ``attempts`` is how often a call that finds a service UNAVAILABLE is tried (with
    the same request id, so a retry never runs twice). Channels connect on first use.
    """

    def __init__(
        self,
        addresses: Addresses | None = None,
        credentials: TlsFiles | str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> None:
        self.addresses = addresses if addresses is not None else Addresses.from_env()
        files = credentials if isinstance(credentials, TlsFiles) else resolve(credentials)
        self.credentials = files
        secure: grpc.ChannelCredentials = files.channel_credentials()
        self._channels = {
            service: ServiceChannel(
                service, self.addresses.of(service), secure, timeout=timeout, attempts=attempts
            )
            for service in SERVICES
        }
        self.registry = RegistryClient(self._channels["registry"])
        self.allocation = AllocationClient(self._channels["allocation"])
        self.matching = MatchingClient(self._channels["matching"])
        self.settlement = SettlementClient(self._channels["settlement"])

    def approvals(self, service: str) -> ApprovalsClient:
        """The four-eyes approvals of ``service`` (registry, allocation or settlement)."""
        if service not in FOUR_EYES_SERVICES:
            raise ValueError(f"approvals are served by {', '.join(FOUR_EYES_SERVICES)}")
        return ApprovalsClient(self._channels[service])

    async def close(self) -> None:
        """Close every channel."""
        for channel in self._channels.values():
            await channel.close()

    async def __aenter__(self) -> CqxClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
