"""Command line: ``python -m cqx_eventstore migrate|verify --dsn DSN --schema SCHEMA``."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from cqx_eventstore.migrate import migrate
from cqx_eventstore.postgres import PostgresEventStore


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cqx_eventstore")
    parser.add_argument("command", choices=["migrate", "verify"])
    parser.add_argument("--dsn", default=os.environ.get("CQX_DATABASE_URL"), help="admin DSN")
    parser.add_argument("--schema", required=True, help="the service's schema, e.g. registry")
    parser.add_argument(
        "--migrations", type=Path, action="append", default=[], help="a service's own SQL folder"
    )
    parser.add_argument(
        "--role-password",
        default=os.environ.get("CQX_SERVICE_DB_PASSWORD"),
        help="password to set for the service's role (default: $CQX_SERVICE_DB_PASSWORD)",
    )
    return parser


async def _run(args: argparse.Namespace) -> int:
    if args.command == "migrate":
        applied = await migrate(
            args.dsn, args.schema, *args.migrations, role_password=args.role_password
        )
        print(f"{args.schema}: applied {len(applied)} migration(s) {' '.join(applied)}".rstrip())
        return 0
    store = await PostgresEventStore.connect(args.dsn, args.schema, max_size=2)
    try:
        position, _ = await store.head()
        broken = await store.verify()
    finally:
        await store.close()
    if broken is None:
        print(f"{args.schema}: hash chain intact over {position} event(s)")
        return 0
    print(f"{args.schema}: hash chain broken at position {broken}", file=sys.stderr)
    return 1


def main() -> None:
    """Entry point."""
    args = _parser().parse_args()
    if not args.dsn:
        sys.exit("no database: pass --dsn or set CQX_DATABASE_URL")
    sys.exit(asyncio.run(_run(args)))


if __name__ == "__main__":
    main()
