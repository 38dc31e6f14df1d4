"""``python -m cqx_settlement``: run the clearing house until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import sys

from cqx_kernel.errors import CqxError
from cqx_service import RuntimeSettings, ServiceRuntime
from cqx_settlement import bootstrap
from cqx_settlement.config import SettlementSettings

DEFAULT_PORT = 50054


def main() -> int:
    """Read the settings once, then serve."""
    try:
        settings = RuntimeSettings.from_env("settlement", DEFAULT_PORT)
        own = SettlementSettings.from_env()
    except CqxError as error:
        print(f"cqx-settlement: {error.message}", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    runtime = ServiceRuntime(settings, bootstrap.builder(own), migrations=None)
    asyncio.run(runtime.run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
