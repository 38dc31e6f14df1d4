"""``python -m cqx_registry``: run the registry until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import sys

from cqx_kernel.errors import CqxError
from cqx_registry.bootstrap import build
from cqx_registry.config import load_settings
from cqx_service import ServiceRuntime


def main() -> int:
    """Read the settings once, then serve."""
    try:
        settings = load_settings()
    except CqxError as error:
        print(f"cqx-registry: {error.message}", file=sys.stderr)
        return 1
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(ServiceRuntime(settings, build, migrations=None).run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
