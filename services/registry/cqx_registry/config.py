"""The registry's settings: the runtime's, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping

from cqx_service import RuntimeSettings

SERVICE = "registry"
DEFAULT_PORT = 50051


def load_settings(environ: Mapping[str, str] | None = None) -> RuntimeSettings:
    """The registry's settings (``CQX_REGISTRY_PORT`` overrides port 50051; see
    :class:`~cqx_service.RuntimeSettings` for the rest)."""
    return RuntimeSettings.from_env(SERVICE, DEFAULT_PORT, environ)
