"""What a client sees when CQX refuses a call: one error root, with the reason to branch on."""

from __future__ import annotations

import grpc

from cqx_grpc.errors import error_info


class CqxClientError(Exception):
    """Root of every error the SDK raises."""


class InvalidValueError(CqxClientError, ValueError):
    """A value given to the SDK is malformed (a price with three decimals, a negative
    quantity); raised before any call is made."""


class CqxApiError(CqxClientError):
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

    @property
    def retriable(self) -> bool:
        """Whether the same call (same request id) may succeed later."""
        return self.code in ("UNAVAILABLE", "DEADLINE_EXCEEDED", "ABORTED")

    def one_line(self) -> str:
        """The error as one line for a terminal: reason, message, details."""
        details = ", ".join(f"{k}={v}" for k, v in sorted(self.metadata.items()))
        tail = f" ({details})" if details else ""
        message = " ".join(self.message.split())
        return f"error: {self.reason or self.code}: {message}{tail}"


class ServiceUnavailableError(CqxApiError):
    """A service could not be reached (down, wrong address) or did not answer in time."""

    def __init__(self, service: str, address: str, code: str, message: str) -> None:
        super().__init__(code, "", message, {})
        self.service = service
        self.address = address

    def one_line(self) -> str:
        """Names the service and the address it was looked for at."""
        if self.code == "DEADLINE_EXCEEDED":
            return f"error: the {self.service} service at {self.address} did not answer in time"
        return (
            f"error: cannot reach the {self.service} service at {self.address} "
            f"(is CQX running? start it with `make run`, or set CQX_{self.service.upper()}"
            "_ADDRESS)"
        )
