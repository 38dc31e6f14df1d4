"""The ``cqx`` command line (``cqx --help``), on Click; :func:`run` is its core, awaitable
in tests."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence

from cqx_sdk.cli.app import run
from cqx_sdk.cli.tree import build_cli

INTERRUPTED = 130
COMPLETE_VAR = "_CQX_COMPLETE"

__all__ = ["main", "run"]


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``cqx`` console script: run the command, exit with its code.

    With ``_CQX_COMPLETE`` set, the shell is asking for completions (or for the script that
    asks for them): Click answers and exits.
    """
    arguments = sys.argv[1:] if argv is None else list(argv)
    if COMPLETE_VAR in os.environ:
        build_cli().main(arguments, prog_name="cqx", complete_var=COMPLETE_VAR)
    try:
        code = asyncio.run(run(arguments))
    except KeyboardInterrupt:  # Ctrl-C, e.g. to leave `cqx book --watch`
        code = INTERRUPTED
    except BrokenPipeError:  # `cqx ... | head`: the reader has what it wanted
        # Python flushes stdout again at exit; point it at nothing so that flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)
