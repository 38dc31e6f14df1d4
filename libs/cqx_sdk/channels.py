"""Where the four services listen, and calls to them with request ids and clear errors."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import grpc
from cqx_grpc.context import call_metadata

from cqx_sdk.errors import CqxApiError

DEFAULT_ADDRESSES: Mapping[str, str] = {
    "registry": "127.0.0.1:50051",
    "allocation": "127.0.0.1:50052",
    "matching": "127.0.0.1:50053",
    "settlement": "127.0.0.1:50054",
}
Response = TypeVar("Response")
# UNAVAILABLE is retried with the same request id: the server runs a request id once.
_RETRIES = 5


@dataclass(frozen=True)
class Addresses:
    """``host:port`` of each service (``CQX_<SERVICE>_ADDRESS`` overrides the default)."""

    registry: str
    allocation: str
    matching: str
    settlement: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Addresses:
        """Defaults, overridden by ``CQX_<SERVICE>_ADDRESS``."""
        env = os.environ if environ is None else environ
        return cls(
            **{name: env.get(f"CQX_{name.upper()}_ADDRESS", default)
               for name, default in DEFAULT_ADDRESSES.items()}
        )  # fmt: skip


def new_request_id() -> str:
    """A fresh idempotency key for a mutating request."""
    return str(uuid.uuid4())


async def call(
    method: Callable[..., Awaitable[Response]],
    request: object,
    *,
    request_id: str | None = None,
    actor: str | None = None,
    timeout: float = 10.0,
) -> Response:
    """Call ``method`` with the request id and actor as metadata; raise :class:`CqxApiError`.

    A call that finds the service UNAVAILABLE is retried (with backoff, the same request id).
    """
    metadata = call_metadata(request_id=request_id, actor=actor)
    for attempt in range(_RETRIES):
        try:
            return await method(request, metadata=metadata, timeout=timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.UNAVAILABLE and attempt + 1 < _RETRIES:
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            raise CqxApiError.from_rpc_error(error) from None
    raise AssertionError("unreachable")
