"""``cqx order``, ``orders``, ``book``, ``trades`` and ``day``: the exchange (pending its proto)."""

from __future__ import annotations

import argparse

from cqx_sdk.cli.arguments import CommandParser
from cqx_sdk.cli.invocation import Parents


def register(commands: argparse._SubParsersAction[CommandParser], parents: Parents) -> None:
    """Add the exchange's commands."""
