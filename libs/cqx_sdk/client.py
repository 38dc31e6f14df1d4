"""One client for the four services: ``async with CqxClient() as client: ...``."""

from __future__ import annotations

import os
from types import TracebackType

from cqx_sdk.allocation import AllocationClient
from cqx_sdk.channels import (
    DEFAULT_ATTEMPTS,
    DEFAULT_TIMEOUT_SECONDS,
    SERVICES,
    Addresses,
    ServiceChannel,
)
from cqx_sdk.matching import MatchingClient
from cqx_sdk.registry import RegistryClient
from cqx_sdk.settlement import SettlementClient


class CqxClient:
    """A channel per service and a facade over each: :attr:`registry`, :attr:`allocation`,
    :attr:`matching`, :attr:`settlement`.

    ``actor`` is sent with every call (who acts, recorded in the events' metadata);
    ``operator_token`` (default ``$CQX_OPERATOR_TOKEN``) with every call too, for the
    operator's methods of services that require it; ``attempts`` is how often a call that
    finds a service UNAVAILABLE is tried (with the same request id, so a retry never runs
    twice). Channels connect on first use.
    """

    def __init__(
        self,
        addresses: Addresses | None = None,
        actor: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        attempts: int = DEFAULT_ATTEMPTS,
        operator_token: str | None = None,
    ) -> None:
        self.addresses = addresses if addresses is not None else Addresses.from_env()
        if operator_token is None:  # not given: the environment's ("" means none)
            operator_token = os.environ.get("CQX_OPERATOR_TOKEN", "")
        token = operator_token.strip() or None
        self._channels = {
            service: ServiceChannel(
                service,
                self.addresses.of(service),
                actor=actor,
                timeout=timeout,
                attempts=attempts,
                operator_token=token,
            )
            for service in SERVICES
        }
        self.registry = RegistryClient(self._channels["registry"])
        self.allocation = AllocationClient(self._channels["allocation"])
        self.matching = MatchingClient(self._channels["matching"])
        self.settlement = SettlementClient(self._channels["settlement"])

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
