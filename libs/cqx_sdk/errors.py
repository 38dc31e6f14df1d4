"""What a client sees when CQX refuses a call: one error type, with the reason to branch on."""

from __future__ import annotations

import grpc
from cqx_grpc.errors import error_info


class CqxApiError(Exception):
    """A call CQX answered with an error status.

    ``code`` is the gRPC status name (``FAILED_PRECONDITION``), ``reason`` the UPPER_SNAKE
    reason from ``google.rpc.ErrorInfo`` (``INSUFFICIENT_FUNDS``), ``metadata`` its details.
    """

    def __init__(self, code: str, reason: str, message: str, metadata: dict[str, str]) -> None:
        super().__init__(f"{reason or code}: {message}")
        self.code = code
        self.reason = reason
        self.message = message
        self.metadata = metadata

    @classmethod
    def from_rpc_error(cls, error: grpc.aio.AioRpcError) -> CqxApiError:
        """Read the status and its ErrorInfo."""
        info = error_info(error)
        return cls(
            error.code().name,
            info.reason if info else "",
            error.details() or "",
            dict(info.metadata) if info else {},
        )

    def one_line(self) -> str:
        """The error as one line for a terminal: reason, message, details."""
        details = ", ".join(f"{k}={v}" for k, v in sorted(self.metadata.items()))
        tail = f" ({details})" if details else ""
        return f"error: {self.reason or self.code}: {self.message}{tail}"
