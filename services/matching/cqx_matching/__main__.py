"""``python -m cqx_matching``: run the exchange until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import sys

from cqx_kernel.errors import CqxError
from cqx_matching import bootstrap
from cqx_matching.config import MatchingSettings
from cqx_service import RuntimeSettings, ServiceRuntime

DEFAULT_PORT = 50053


def main() -> int:
    """Read the settings once, then serve."""
    try:
        settings = RuntimeSettings.from_env("matching", DEFAULT_PORT)
        own = MatchingSettings.from_env()
    except CqxError as error:
        print(f"cqx-matching: {error.message}", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    runtime = ServiceRuntime(settings, bootstrap.builder(own), migrations=None)
    asyncio.run(runtime.run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
