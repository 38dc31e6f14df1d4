"""``python -m cqx_settlement``: run the clearing house until SIGTERM or SIGINT."""

from __future__ import annotations

import sys

from cqx_service import RuntimeSettings
from cqx_service.main import serve
from cqx_service.runtime import Build
from cqx_settlement import bootstrap
from cqx_settlement.config import SettlementSettings

DEFAULT_PORT = 50054


def configure() -> tuple[RuntimeSettings, Build]:
    """The runtime's settings and the clearing house's own, read once."""
    settings = RuntimeSettings.from_env("settlement", DEFAULT_PORT)
    return settings, bootstrap.builder(SettlementSettings.from_env())


if __name__ == "__main__":
    sys.exit(serve("settlement", configure))
