"""``python -m cqx_matching``: run the exchange until SIGTERM or SIGINT."""

from __future__ import annotations

import sys

from cqx_matching import bootstrap
from cqx_matching.config import MatchingSettings
from cqx_service import RuntimeSettings
from cqx_service.main import serve
from cqx_service.runtime import Build

DEFAULT_PORT = 50053


def configure() -> tuple[RuntimeSettings, Build]:
    """The runtime's settings and the exchange's own, read once."""
    settings = RuntimeSettings.from_env("matching", DEFAULT_PORT)
    return settings, bootstrap.builder(MatchingSettings.from_env())


if __name__ == "__main__":
    sys.exit(serve("matching", configure))
