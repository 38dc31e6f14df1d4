"""The bus from the shell.

``python -m cqx_bus relay --dsn DSN --schema S --source CTX --bootstrap HOST:PORT [--topic T]``
runs one relay as its own process; ``python -m cqx_bus topics CTX [CTX ...]`` creates the
contexts' topics (deployment's setup step).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os

from cqx_bus.bookkeeping import PostgresBookkeeping
from cqx_bus.envelope import topic_for
from cqx_bus.relay import Relay
from cqx_bus.topics import ensure_topic
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


async def _topics(args: argparse.Namespace) -> None:
    prefix = os.environ.get("CQX_NAMESPACE", "")
    for context in args.contexts:
        topic = topic_for(f"{prefix}{context}")
        await ensure_topic(args.bootstrap, topic, partitions=args.partitions)
        print(f"topic {topic} ready")


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m cqx_bus")
    parser.add_argument("command", choices=["relay", "topics"])
    parser.add_argument("contexts", nargs="*", help="for topics: registry, matching, ...")
    parser.add_argument("--dsn", default=os.environ.get("CQX_DATABASE_URL"), required=False)
    parser.add_argument("--schema")
    parser.add_argument("--source", help="the context name, e.g. registry")
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--bootstrap", default=os.environ.get("CQX_KAFKA_BOOTSTRAP"))
    parser.add_argument("--topic", default=None)
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()
    if not args.bootstrap:
        parser.error("need --bootstrap (or CQX_KAFKA_BOOTSTRAP)")
    if args.command == "topics":
        asyncio.run(_topics(args))
        return
    if not args.dsn or not args.schema or not args.source:
        parser.error("relay needs --dsn (or CQX_DATABASE_URL), --schema and --source")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(_relay(args))


if __name__ == "__main__":
    main()
