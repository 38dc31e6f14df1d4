"""End to end, the four services as processes: order entry and trade-to-registry latency.

1. Orders/s through matching's gRPC: 64 concurrent clients, each a member with its own
   credential and account, place resting limit orders over mutual TLS (each answered only
   after its events are durable), for 10 s; p50 and p99 per call. Beside it, in the same
   run: the ceiling, a gRPC echo server over mutual TLS (another process) driven the same
   way; and the same order entry against the exchange restarted plaintext and ungated
   (``bench.plaintext_matching``, on the same log: the product has no such switch), for the
   ratio of orders/s with authentication to orders/s without.
2. Trade → settled in the registry: pairs of crossing orders at a target of 1,000 trades/s
   for 10 s; for each trade, the time from its execution (the exchange's ``TradeExecuted``,
   as recorded) to its delivery (the registry's ``TradeDeliveryApplied``, as recorded), the
   path matching → relay → settlement → relay → registry; p50, p99. Both times are the
   services' own records (one machine, one clock), read from the topics.
   Then the same at 20 trades/s: what one trade waits for when nothing queues ahead of it.
The market is the demo's (96 Shanxi entities with allowances in trading and cash).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
from aiokafka import AIOKafkaConsumer
from cqx.eventing.v1.envelope_pb2 import EventEnvelope
from cqx.matching.v1 import events_pb2 as matching_events
from cqx.matching.v1 import matching_service_pb2 as api
from cqx.matching.v1.matching_service_pb2_grpc import MatchingServiceStub
from cqx.registry.v1 import events_pb2 as registry_events

from bench.report import Figure, infrastructure, report
from cqx_bus.access import KafkaAccess
from cqx_bus.envelope import topic_for
from cqx_grpc import call_metadata
from cqx_identity import LOCAL_OPERATORS, TlsFiles
from cqx_infra import Endpoints, project_root
from cqx_infra.ports import free_ports
from cqx_local import LocalSystem
from cqx_local.demo_seed import seed
from cqx_service.main import run_event_loop

CLIENTS = 64
SECONDS = 10.0
TRADES_PER_SECOND = 1000
LIGHT_TRADES_PER_SECOND = 20  # beside it: the same path far from saturation
INSTRUMENT = "CEA-2024"
DELIVERY = registry_events.TradeDeliveryApplied.DESCRIPTOR.full_name
EXECUTED = matching_events.TradeExecuted.DESCRIPTOR.full_name


def percentile(samples: list[float], share: float) -> float:
    """The ``share`` quantile of ``samples`` (nearest rank), in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


Connect = Callable[[str], grpc.aio.Channel]
"""A channel as the member of an account (or plaintext, for the comparison)."""


def member_channels(address: str, pki_dir: Path) -> Connect:
    def connect(account: str) -> grpc.aio.Channel:
        files = TlsFiles.in_directory(pki_dir, account)
        return grpc.aio.secure_channel(address, files.channel_credentials())

    return connect


def plaintext_channels(address: str) -> Connect:
    return lambda _account: grpc.aio.insecure_channel(address)


async def drive(call: Callable[[int], Awaitable[object]]) -> list[float]:
    """One client: call as fast as answers come, for SECONDS; the latency of each call."""
    latencies: list[float] = []
    deadline = time.perf_counter() + SECONDS
    n = 0
    while (started := time.perf_counter()) < deadline:
        await call(n)
        n += 1
        latencies.append(time.perf_counter() - started)
    return latencies


async def order_entry(connect: Connect) -> tuple[float, list[float]]:
    """Phase 1: resting orders from 64 clients, each its own account's member (buys below
    the market, sells above)."""

    async def client(k: int) -> list[float]:
        account = f"shanxi-{k + 1:03d}"
        async with connect(account) as channel:
            stub = MatchingServiceStub(channel)

            async def place(n: int) -> None:
                buy = (n + k) % 2 == 0
                rid = str(uuid.uuid4())
                request = api.PlaceOrderRequest(
                    request_id=rid, account_id=account, instrument=INSTRUMENT,
                    quantity_tonnes=10,
                    side=matching_events.SIDE_BUY if buy else matching_events.SIDE_SELL,
                    price_fen=7000 + n % 100 if buy else 7900 - n % 100,
                )  # fmt: skip
                await stub.PlaceOrder(request, metadata=call_metadata(request_id=rid))

            return await drive(place)

    runs = await asyncio.gather(*(client(k) for k in range(CLIENTS)))
    latencies = [x for run in runs for x in run]
    return len(latencies) / SECONDS, latencies


async def echo_ceiling(pki_dir: Path) -> tuple[float, list[float]]:
    """The same 64-client load, over mutual TLS, against an echo server in another process."""
    (port,) = free_ports(1)
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.echo_server", str(port), str(pki_dir)
    )
    connect = member_channels(f"127.0.0.1:{port}", pki_dir)
    payload = api.PlaceOrderRequest(request_id=str(uuid.uuid4())).SerializeToString()

    async def client(k: int) -> list[float]:
        async with connect(f"shanxi-{k + 1:03d}") as channel:
            echo = channel.unary_unary("/cqx.bench.v1.Echo/Echo")

            async def call(_n: int) -> None:
                await echo(payload, metadata=call_metadata(request_id="echo"))

            return await drive(call)

    try:
        await asyncio.sleep(1.0)
        runs = await asyncio.gather(*(client(k) for k in range(CLIENTS)))
    finally:
        server.terminate()
        await server.wait()
    latencies = [x for run in runs for x in run]
    return len(latencies) / SECONDS, latencies


async def watch_trades(
    access: KafkaAccess, topics: list[str], executed: dict[str, float], delivered: dict[str, float]
) -> None:
    """Note when each trade was executed (matching's ``TradeExecuted``) and delivered (the
    registry's ``TradeDeliveryApplied``), by the times the services recorded them: what the
    client's own busy loop does cannot blur the figure."""
    consumer = AIOKafkaConsumer(*topics, **access.client_options(), auto_offset_reset="latest")
    await consumer.start()
    try:
        while True:
            for records in (await consumer.getmany(timeout_ms=100)).values():
                for record in records:
                    envelope = EventEnvelope.FromString(record.value)
                    at = envelope.recorded_at.ToMicroseconds() / 1e6
                    if envelope.event_type == EXECUTED:
                        trade = matching_events.TradeExecuted.FromString(envelope.payload)
                        executed.setdefault(trade.trade_id, at)
                    elif envelope.event_type == DELIVERY:
                        applied = registry_events.TradeDeliveryApplied.FromString(envelope.payload)
                        delivered.setdefault(applied.trade_id, at)
    finally:
        await consumer.stop()


async def trade_latency(
    connect: Connect, access: KafkaAccess, topics: list[str], rate: int = TRADES_PER_SECOND
) -> tuple[float, list[float]]:
    """Phase 2: crossing pairs at ``rate`` a second; for each trade, executed → recorded as
    delivered in the registry."""
    executed: dict[str, float] = {}
    delivered: dict[str, float] = {}
    answered: dict[str, float] = {}
    refused: Counter[str] = Counter()
    in_flight = asyncio.Semaphore(128)  # an open loop with a bound: an overloaded exchange
    # shows as a lower achieved rate, not as an ever-growing queue
    watcher = asyncio.create_task(watch_trades(access, topics, executed, delivered))
    await asyncio.sleep(2.0)  # the watcher is at the end of the topics
    traders = [f"shanxi-{n:03d}" for n in range(65, 97)]
    channels = {account: connect(account) for account in traders}
    stubs = {account: MatchingServiceStub(channel) for account, channel in channels.items()}
    try:

        async def place(
            account: str,
            side: matching_events.Side.ValueType,
            tif: matching_events.TimeInForce.ValueType,
        ) -> api.PlaceOrderResponse:
            rid = str(uuid.uuid4())
            request = api.PlaceOrderRequest(
                request_id=rid, account_id=account, instrument=INSTRUMENT, side=side,
                price_fen=7463, quantity_tonnes=1, time_in_force=tif,
            )  # fmt: skip
            reply: api.PlaceOrderResponse = await stubs[account].PlaceOrder(
                request, metadata=call_metadata(request_id=rid)
            )
            return reply

        async def one_trade(pair: int) -> None:
            seller, buyer = (
                f"shanxi-{65 + 2 * (pair % 16):03d}",
                f"shanxi-{66 + 2 * (pair % 16):03d}",
            )
            async with in_flight:
                try:
                    await place(
                        seller, matching_events.SIDE_SELL, matching_events.TIME_IN_FORCE_DAY
                    )
                    reply = await place(
                        buyer, matching_events.SIDE_BUY, matching_events.TIME_IN_FORCE_IOC
                    )
                except grpc.aio.AioRpcError as error:
                    refused[f"{error.code().name} {error.details()}"] += 1
                    return
            now = time.perf_counter()
            for fill in reply.fills:
                answered[fill.trade_id] = now

        tasks = []
        started = time.perf_counter()
        for n in range(int(rate * SECONDS)):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one_trade(n)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    finally:
        for channel in channels.values():
            await channel.close()
    deadline = time.perf_counter() + 60
    while (  # noqa: ASYNC110 (the watcher task fills both maps)
        set(answered) - set(delivered) or set(answered) - set(executed)
    ) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    watcher.cancel()
    await asyncio.gather(watcher, return_exceptions=True)
    if refused:
        print(f"refused during the trade phase: {dict(refused)}", flush=True)
    missing = set(answered) - set(delivered)
    assert not missing, f"{len(missing)} trades never reached the registry"
    unseen = set(answered) - set(executed)
    assert not unseen, f"{len(unseen)} trades never appeared on the exchange's topic"
    return len(answered) / elapsed, [delivered[t] - executed[t] for t in answered]


async def exchange_ready(address: str, pki_dir: Path) -> None:
    """Wait until the exchange's risk ledger has every trader's cash and allowances."""
    operator = TlsFiles.in_directory(pki_dir, LOCAL_OPERATORS[0])
    async with grpc.aio.secure_channel(address, operator.channel_credentials()) as channel:
        stub = MatchingServiceStub(channel)
        for n in range(1, 97):
            account = f"shanxi-{n:03d}"
            for _ in range(600):
                try:
                    balance = await stub.GetRiskBalance(
                        api.GetRiskBalanceRequest(account_id=account)
                    )
                    if balance.free_cash_fen > 0 and any(a.free_tonnes for a in balance.allowances):
                        break
                except grpc.aio.AioRpcError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"the exchange never learned of {account}'s assets")


async def main() -> None:
    async with infrastructure() as endpoints:
        await measure(endpoints)


async def measure(endpoints: Endpoints) -> None:
    namespace = f"bench_{uuid.uuid4().hex[:6]}_"
    run_dir = project_root() / ".run" / "bench-e2e"
    system = LocalSystem(
        endpoints, run_dir, namespace=namespace,
        extra_env={"CQX_MATCHING_SESSIONS": "around-the-clock",
                   "PYTHONPATH": str(project_root())},
    )  # fmt: skip
    await asyncio.to_thread(system.start)
    pki = system.pki_dir
    try:
        await seed(system, pki)
        matching = system.address("matching")
        await exchange_ready(matching, pki)
        rate, latencies = await order_entry(member_channels(matching, pki))
        print(f"order entry (mutual TLS, authorised): {rate:,.0f} orders/s", flush=True)
        await asyncio.to_thread(system.restart, "matching", "bench.plaintext_matching")
        bare, bare_latencies = await order_entry(plaintext_channels(matching))
        print(f"order entry (plaintext, nobody asked): {bare:,.0f} orders/s", flush=True)
        await asyncio.to_thread(system.restart, "matching")
        ceiling, echo_latencies = await echo_ceiling(pki)
        print(f"echo ceiling (mutual TLS): {ceiling:,.0f} calls/s", flush=True)
        topics = [topic_for(f"{namespace}{context}") for context in ("matching", "registry")]
        members = member_channels(matching, pki)
        trades, settle = await trade_latency(members, endpoints.kafka_admin, topics)
        _, light = await trade_latency(
            members, endpoints.kafka_admin, topics, LIGHT_TRADES_PER_SECOND
        )
    finally:
        await asyncio.to_thread(system.stop)
    report(
        Figure("e2e", f"orders/s, {CLIENTS} clients, durable", rate, "orders/s", ceiling,
               "≥ 4,500 orders/s"),
        Figure("e2e", "order p50", percentile(latencies, 0.50), "ms"),
        Figure("e2e", "order p99", percentile(latencies, 0.99), "ms", target="≤ 15 ms"),
        Figure("e2e", "orders/s without TLS or authentication (comparison only)", bare,
               "orders/s", None),
        Figure("e2e", "orders/s with authentication ÷ without", rate / bare, "ratio",
               target="≥ 0.85"),
        Figure("e2e", "order p99 without authentication", percentile(bare_latencies, 0.99),
               "ms"),
        Figure("e2e", "echo ceiling p99", percentile(echo_latencies, 0.99), "ms"),
        Figure("e2e", f"trades/s achieved (target rate {TRADES_PER_SECOND})", trades, "trades/s"),
        Figure("e2e", "trade → settled in registry p50", percentile(settle, 0.50), "ms"),
        Figure("e2e", "trade → settled in registry p99", percentile(settle, 0.99), "ms",
               target="≤ 100 ms"),
        Figure("e2e", "trade → settled mean", statistics.fmean(settle) * 1000, "ms"),
        Figure("e2e", f"at {LIGHT_TRADES_PER_SECOND} trades/s: settled p50",
               percentile(light, 0.50), "ms"),
        Figure("e2e", f"at {LIGHT_TRADES_PER_SECOND} trades/s: settled p99",
               percentile(light, 0.99), "ms"),
    )  # fmt: skip


if __name__ == "__main__":
    run_event_loop(main())
