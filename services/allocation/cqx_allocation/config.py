"""The allocation service's settings, read once from the environment (in ``__main__``)."""

from __future__ import annotations

from collections.abc import Mapping

from cqx_service import RuntimeSettings

SERVICE = "allocation"
DEFAULT_PORT = 50052


def settings_from_env(environ: Mapping[str, str] | None = None) -> RuntimeSettings:
    """The runtime settings (``CQX_ALLOCATION_PORT`` overrides the port 50052)."""
    return RuntimeSettings.from_env(SERVICE, DEFAULT_PORT, environ)
