"""What every CQX service process is made of: settings, the single-writer journal, the runtime."""

from cqx_service.journal import Decision, Journal
from cqx_service.runtime import ConsumerSpec, ServiceContext, ServiceRuntime, Wiring
from cqx_service.settings import RuntimeSettings

__all__ = [
    "ConsumerSpec",
    "Decision",
    "Journal",
    "RuntimeSettings",
    "ServiceContext",
    "ServiceRuntime",
    "Wiring",
]
