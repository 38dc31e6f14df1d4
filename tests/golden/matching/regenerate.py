"""Deliberately re-bless the golden day: ``python -m tests.golden.matching.regenerate``.

Replays the recorded commands and rewrites the expected trades and events digest. Use it
only when a change to the engine's output is intended, and say why in the commit. With
``--record`` it first re-records the commands themselves from the seeded generator.
"""

from __future__ import annotations

import argparse

from tests.golden.matching.golden import (
    COMMANDS,
    load_commands,
    record_day,
    replay_day,
    write_commands,
    write_outputs,
)


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--record", action="store_true", help="re-record the commands too")
    args = parser.parse_args()
    if args.record or not COMMANDS.exists():
        write_commands(record_day())
    commands = load_commands()
    _, events = replay_day(commands)
    digest = write_outputs(events)
    trades = sum(1 for e in events if type(e).__name__ == "TradeExecuted")
    print(f"{len(commands)} commands, {len(events)} events, {trades} trades, sha256 {digest}")


if __name__ == "__main__":
    main()
