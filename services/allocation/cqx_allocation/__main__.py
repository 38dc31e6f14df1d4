"""``python -m cqx_allocation``: run the allocation service until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import sys

from cqx_allocation.bootstrap import build
from cqx_allocation.config import settings_from_env
from cqx_kernel.errors import CqxError
from cqx_service import ServiceRuntime


def main() -> None:
    """Read the settings once, then run the service (exit 1 with one line if they are bad)."""
    try:
        settings = settings_from_env()
    except CqxError as error:
        print(f"cqx_allocation: {error.message}", file=sys.stderr)
        sys.exit(1)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(ServiceRuntime(settings, build, migrations=None).run())


if __name__ == "__main__":
    main()
