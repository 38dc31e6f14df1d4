"""Where the four services listen, and calls to them with request ids and clear errors."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc

from cqx_grpc.context import call_metadata
from cqx_sdk.errors import CqxApiError, ServiceUnavailableError
from cqx_sdk.paging import Item, every_item

SERVICES = ("registry", "allocation", "matching", "settlement")
DEFAULT_ADDRESSES: Mapping[str, str] = {
    "registry": "127.0.0.1:50051",
    "allocation": "127.0.0.1:50052",
    "matching": "127.0.0.1:50053",
    "settlement": "127.0.0.1:50054",
}
DEFAULT_TIMEOUT_SECONDS = 10.0
# UNAVAILABLE is retried with the same request id: the server runs a request id once.
DEFAULT_ATTEMPTS = 5
_UNREACHABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
Response = TypeVar("Response")


@dataclass(frozen=True)
class Addresses:
    """``host:port`` of each service (``CQX_<SERVICE>_ADDRESS`` overrides the default)."""

    registry: str = DEFAULT_ADDRESSES["registry"]
    allocation: str = DEFAULT_ADDRESSES["allocation"]
    matching: str = DEFAULT_ADDRESSES["matching"]
    settlement: str = DEFAULT_ADDRESSES["settlement"]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Addresses:
        """Defaults, overridden by ``CQX_<SERVICE>_ADDRESS``."""
        env = os.environ if environ is None else environ
        return cls(
            **{
                name: env.get(f"CQX_{name.upper()}_ADDRESS", default)
                for name, default in DEFAULT_ADDRESSES.items()
            }
        )

    def of(self, service: str) -> str:
        """The address of ``service`` (``registry``, ``allocation``, ...)."""
        address: str = getattr(self, service)
        return address

    def with_overrides(self, overrides: Mapping[str, str | None]) -> Addresses:
        """These addresses with some replaced (``None`` values are ignored)."""
        given = {name: value for name, value in overrides.items() if value}
        return dataclasses.replace(self, **given)


def new_request_id() -> str:
    """A fresh idempotency key for a mutating request."""
    return str(uuid.uuid4())


class ServiceChannel:
    """One service's channel, over mutual TLS with ``credentials``: a mutating call carries
    its request id, UNAVAILABLE is retried with backoff and the same request id, and any
    error leaves as :class:`CqxApiError` (:class:`ServiceUnavailableError` when the service
    cannot be reached)."""

    def __init__(
        self,
        service: str,
        address: str,
        credentials: grpc.ChannelCredentials,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> None:
        self.service = service
        self.address = address
        self.channel = grpc.aio.secure_channel(address, credentials)
        self._timeout = timeout
        self._attempts = max(1, attempts)

    async def close(self) -> None:
        """Close the channel (calls in flight are cancelled)."""
        await self.channel.close()

    async def call(
        self,
        method: Callable[..., Awaitable[Response]],
        request: object,
        *,
        request_id: str | None = None,
    ) -> Response:
        """Call a unary ``method`` of a stub on this channel (see the class docstring)."""
        metadata = call_metadata(request_id=request_id)
        for attempt in range(self._attempts):
            try:
                return await method(request, metadata=metadata, timeout=self._timeout)
            except grpc.aio.AioRpcError as error:
                if error.code() == grpc.StatusCode.UNAVAILABLE and attempt + 1 < self._attempts:
                    await asyncio.sleep(0.2 * 2**attempt)
                    continue
                raise self.error(error) from None
        raise AssertionError("unreachable")

    async def mutate(
        self,
        method: Callable[..., Awaitable[Response]],
        request_type: Callable[..., object],
        request_id: str | None,
        **fields: object,
    ) -> Response:
        """Call a mutating ``method`` with ``request_type(request_id=..., **fields)``; the
        request id (a fresh one unless given) goes in the message and in the metadata."""
        rid = request_id or new_request_id()
        return await self.call(method, request_type(request_id=rid, **fields), request_id=rid)

    def paged(
        self,
        method: Callable[..., Awaitable[Any]],
        request_type: Callable[..., object],
        items: str,
        convert: Callable[[Any], Item],
        **fields: object,
    ) -> AsyncIterator[Item]:
        """Every item of a paged list RPC: ``request_type(**fields)`` page by page (as the
        caller iterates), each reply's ``items`` field converted by ``convert``."""

        async def page(token: str) -> tuple[Sequence[Item], str]:
            reply = await self.call(method, request_type(page_token=token, **fields))
            return [convert(m) for m in getattr(reply, items)], reply.next_page_token

        return every_item(page)

    async def stream(
        self, method: Callable[..., AsyncIterator[Response]], request: object
    ) -> AsyncIterator[Response]:
        """The responses of a server-streaming ``method``, until the server ends the stream."""
        call: Any = method(request)
        try:
            async for response in call:
                yield response
        except grpc.aio.AioRpcError as error:
            raise self.error(error) from None
        finally:
            call.cancel()

    def error(self, error: grpc.aio.AioRpcError) -> CqxApiError:
        """The SDK error for a failed call on this channel."""
        api_error = CqxApiError.from_rpc_error(error)
        if error.code() in _UNREACHABLE and not api_error.reason:
            # No ErrorInfo: the service never answered (a deliberate refusal carries one).
            return ServiceUnavailableError(
                self.service, self.address, error.code().name, error.details() or ""
            )
        return api_error
