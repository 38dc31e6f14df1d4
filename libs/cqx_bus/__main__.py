"""``python -m cqx_bus relay --dsn DSN --schema S --source CTX --bootstrap HOST:PORT [--topic T]``.

Runs one relay as its own process (what a service runs beside its gRPC server).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os

from cqx_bus.bookkeeping import PostgresBookkeeping
from cqx_bus.relay import Relay
from cqx_eventstore.postgres import PostgresEventStore


async def _relay(args: argparse.Namespace) -> None:
    store = await PostgresEventStore.connect(args.dsn, args.schema, max_size=4)
    try:
        relay = Relay(
            store,
            PostgresBookkeeping(store.pool, args.schema),
            source=args.source,
            bootstrap=args.bootstrap,
            topic=args.topic,
            batch_size=args.batch_size,
        )
        await relay.run()
    finally:
        await store.close()


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m cqx_bus")
    parser.add_argument("command", choices=["relay"])
    parser.add_argument("--dsn", default=os.environ.get("CQX_DATABASE_URL"), required=False)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--source", required=True, help="the context name, e.g. registry")
    parser.add_argument("--bootstrap", default=os.environ.get("CQX_KAFKA_BOOTSTRAP"))
    parser.add_argument("--topic", default=None)
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()
    if not args.dsn or not args.bootstrap:
        parser.error("need --dsn and --bootstrap (or CQX_DATABASE_URL and CQX_KAFKA_BOOTSTRAP)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(_relay(args))


if __name__ == "__main__":
    main()
