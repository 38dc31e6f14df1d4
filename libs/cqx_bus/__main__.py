"""The bus from the shell.

``python -m cqx_bus provision SERVICE --consumes CTX[,CTX…] [--partitions N]`` creates the
service's topic, sets its Kafka user's SCRAM credential and adds its ACLs (deployment's setup
step, as the administrator: ``CQX_KAFKA_ADMIN_USERNAME`` with ``CQX_KAFKA_ADMIN_PASSWORD`` or
``…_FILE``; the service's password from ``CQX_KAFKA_PASSWORD`` or ``…_FILE``, its user name
from ``CQX_KAFKA_USERNAME``, by default ``<namespace><service>``).

``python -m cqx_bus topics CTX [CTX ...]`` creates the contexts' topics (as the administrator).

``python -m cqx_bus relay --dsn DSN --schema S --source CTX [--topic T]`` runs one relay as its
own process, as the service's principal (``CQX_KAFKA_USERNAME``, ``CQX_KAFKA_PASSWORD``).

Every command takes ``--bootstrap HOST:PORT`` (default ``CQX_KAFKA_BOOTSTRAP``) and
``CQX_NAMESPACE``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os

from cqx_bus.access import (
    ADMIN_PREFIX,
    SERVICE_PREFIX,
    KafkaAccess,
    KafkaCredentials,
    credentials_from_env,
)
from cqx_bus.bookkeeping import PostgresBookkeeping
from cqx_bus.envelope import topic_for
from cqx_bus.provision import provision_service
from cqx_bus.relay import Relay
from cqx_bus.topics import ensure_topic
from cqx_eventstore.postgres import PostgresEventStore


async def _relay(args: argparse.Namespace, access: KafkaAccess) -> None:
    store = await PostgresEventStore.connect(args.dsn, args.schema, max_size=4)
    try:
        relay = Relay(
            store,
            PostgresBookkeeping(store.pool, args.schema),
            source=args.source,
            access=access,
            topic=args.topic,
            batch_size=args.batch_size,
        )
        await relay.run()
    finally:
        await store.close()


async def _topics(args: argparse.Namespace, admin: KafkaAccess, namespace: str) -> None:
    for context in args.contexts:
        topic = topic_for(f"{namespace}{context}")
        await ensure_topic(admin, topic, partitions=args.partitions)
        print(f"topic {topic} ready")


async def _provision(
    args: argparse.Namespace, admin: KafkaAccess, namespace: str, user: KafkaCredentials
) -> None:
    consumes = [context for context in args.consumes.split(",") if context]
    account = await provision_service(
        admin, namespace, args.service, consumes=consumes, credentials=user,
        partitions=args.partitions,
    )  # fmt: skip
    print(
        f"kafka user {user.username}: writes {', '.join(account.own_topics)}; "
        f"reads {', '.join(account.read_topics) or 'nothing'}"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cqx_bus", description=__doc__)
    parser.add_argument("--bootstrap", default=os.environ.get("CQX_KAFKA_BOOTSTRAP"))
    commands = parser.add_subparsers(dest="command", required=True)
    provision = commands.add_parser("provision", help="a service's topic, user and ACLs")
    provision.add_argument("service", help="registry, allocation, matching or settlement")
    provision.add_argument("--consumes", default="", help="the contexts it reads, comma-separated")
    provision.add_argument("--partitions", type=int, default=1)
    topics = commands.add_parser("topics", help="create the contexts' topics")
    topics.add_argument("contexts", nargs="+", help="registry, matching, ...")
    topics.add_argument("--partitions", type=int, default=1)
    relay = commands.add_parser("relay", help="run one relay")
    relay.add_argument("--dsn", default=os.environ.get("CQX_DATABASE_URL"))
    relay.add_argument("--schema", required=True)
    relay.add_argument("--source", required=True, help="the context name, e.g. registry")
    relay.add_argument("--topic", default=None)
    relay.add_argument("--batch-size", type=int, default=5000)
    return parser


def _credentials(
    parser: argparse.ArgumentParser, prefix: str, default_username: str | None = None
) -> KafkaCredentials:
    found = credentials_from_env(os.environ, prefix, default_username=default_username)
    if found is None:
        parser.error(f"need {prefix}_USERNAME and {prefix}_PASSWORD (or {prefix}_PASSWORD_FILE)")
    return found


def main() -> None:
    """Entry point."""
    parser = _parser()
    args = parser.parse_args()
    if not args.bootstrap:
        parser.error("need --bootstrap (or CQX_KAFKA_BOOTSTRAP)")
    namespace = os.environ.get("CQX_NAMESPACE", "")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.command == "relay":
        if not args.dsn:
            parser.error("relay needs --dsn (or CQX_DATABASE_URL)")
        access = KafkaAccess(args.bootstrap, _credentials(parser, SERVICE_PREFIX))
        asyncio.run(_relay(args, access))
        return
    admin = KafkaAccess(args.bootstrap, _credentials(parser, ADMIN_PREFIX))
    if args.command == "topics":
        asyncio.run(_topics(args, admin, namespace))
        return
    user = _credentials(parser, SERVICE_PREFIX, f"{namespace}{args.service}")
    asyncio.run(_provision(args, admin, namespace, user))


if __name__ == "__main__":
    main()
