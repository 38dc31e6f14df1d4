"""The ``cqx`` command line (``cqx --help``); :func:`run` is its core, awaitable in tests."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from cqx_sdk.cli.app import run

INTERRUPTED = 130

__all__ = ["main", "run"]


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``cqx`` console script: run the command, exit with its code."""
    arguments = sys.argv[1:] if argv is None else argv
    try:
        code = asyncio.run(run(arguments))
    except KeyboardInterrupt:  # Ctrl-C, e.g. to leave `cqx book --watch`
        code = INTERRUPTED
    sys.exit(code)
