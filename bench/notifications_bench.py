"""Event published → notification received on Subscribe, with many open streams.

    .venv/bin/python bench/notifications_bench.py [--streams 1000] [--events 10000]
                                                  [--rates 500,1000,2500,5000,10000] [--seconds 3]

One notifications replica runs in its own process (so its CPU is its own),
with 1,000 (`--streams`) users each holding an open `Subscribe` stream from
this process over loopback gRPC. The benchmark adds `ApplicationStatusChanged`
events to marketplace's event stream exactly as the outbox relay does (XADD
of the envelope), and times each one until its notification arrives on its
user's stream. The whole path is measured: consumer group read, the
transaction that writes the inbox row and the processed-event record,
publish on the fan-out channel, the replica's listener, the stream.

Phases:
1. throughput  `--events` events as fast as Redis takes them; deliveries/s
               from the first publish to the last notification received.
2. paced       each of `--rates` for `--seconds`: achieved deliveries/s and
               p50/p99 latency at that offered rate.
3. inbox only  events for users with no open stream: the consumer and the
               inbox writes alone (rate until the last row is written).
4. fan-out     the live path alone: notifications published straight on the
               replica's fan-out channel (no consumer, no PostgreSQL), to see
               what the Subscribe side can carry by itself.

The service's CPU time per delivery is printed too: on a shared 2-core
machine this process (1,000 stream readers), PostgreSQL and Redis compete
with the service for the cores. Bounded: every phase stops waiting after
`--timeout` seconds. PostgreSQL and Redis: DATABASE_URL / REDIS_URL (a scratch
database and key prefix, removed at the end), else embedded servers.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import uuid

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import grpc  # noqa: E402
import psutil  # noqa: E402

from bench.record import record  # noqa: E402
from iworkz.marketplace.v1 import events_pb2 as market_events  # noqa: E402
from iworkz.marketplace.v1 import marketplace_pb2 as mp  # noqa: E402
from iworkz.notifications.v1 import notifications_pb2 as pb  # noqa: E402
from iworkz.notifications.v1 import notifications_pb2_grpc  # noqa: E402
from services.runtime import fanout  # noqa: E402

AIM_P99_MS, AIM_P99_AT_RATE, AIM_THROUGHPUT = 50.0, 10_000, 20_000
ORG = "00000000-0000-4000-8000-00000000b0b0"


# --- the service process --------------------------------------------------------


def serve() -> None:
    """`--serve`: the notifications service with a fixed JWKS (no identity needed)."""
    from services.notifications.main import SPEC
    from services.runtime import server

    keys = json.loads(os.environ["BENCH_JWKS"])

    def static_jwks(resources):
        async def fetch() -> list[dict]:
            return keys

        return fetch

    profile_to = os.environ.get("BENCH_PROFILE")
    if not profile_to:
        server.main(dataclasses.replace(SPEC, jwks_fetcher=static_jwks))
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        server.main(dataclasses.replace(SPEC, jwks_fetcher=static_jwks))
    finally:
        profiler.disable()
        profiler.dump_stats(profile_to)


# --- the client side -------------------------------------------------------------


class Streams:
    """Open Subscribe streams; records when each notification arrives, by its link."""

    def __init__(self) -> None:
        self.received: dict[str, float] = {}
        self.last_event: dict[str, int] = {}  # user -> newest event id received
        self.errors: list[str] = []
        self.ready = 0
        self._tasks: list[asyncio.Task] = []
        self._arrived = asyncio.Event()

    def open(self, stub, user: str, token: str) -> None:
        self._tasks.append(asyncio.create_task(self._read(stub, user, token)))

    async def _read(self, stub, user: str, token: str) -> None:
        call = stub.Subscribe(
            pb.SubscribeRequest(parent=f"users/{user}"), metadata=(("authorization", f"Bearer {token}"),)
        )
        first = True
        try:
            async for item in call:
                if item.HasField("notification"):
                    self.received[item.notification.link] = time.perf_counter()
                    self.last_event[user] = int(item.notification.event_id)
                    self._arrived.set()
                elif first:
                    first = False
                    self.ready += 1
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.CANCELLED:
                self.errors.append(f"{error.code().name}: {error.details()}")

    async def wait_for(self, links: list[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        pending = [link for link in links if link not in self.received]
        while pending:
            if time.monotonic() > deadline:
                return False
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), 0.25)
            except TimeoutError:
                pass
            pending = [link for link in pending if link not in self.received]
        return True

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


@dataclasses.dataclass
class Phase:
    name: str
    offered: str
    sent: dict[str, float]  # link -> publish time
    complete: bool = True
    cpu_seconds: float = 0.0
    written: int = 0  # inbox-only phase: rows written (no stream to time them on)
    elapsed: float = 0.0

    def figures(self, received: dict[str, float]) -> dict:
        if self.written:
            return {
                "delivered": self.written,
                "sent": self.written,
                "rate": self.written / self.elapsed,
                "p50": float("nan"),
                "p99": float("nan"),
                "max": float("nan"),
                "cpu_us": self.cpu_seconds / self.written * 1e6,
            }
        latencies = sorted((received[k] - t) * 1000 for k, t in self.sent.items() if k in received)
        got = [received[k] for k in self.sent if k in received]
        span = (max(got) - min(self.sent.values())) if got else 0.0

        def pick(q: float) -> float:
            return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")

        return {
            "delivered": len(latencies),
            "sent": len(self.sent),
            "rate": len(latencies) / span if span else 0.0,
            "p50": pick(0.50),
            "p99": pick(0.99),
            "max": latencies[-1] if latencies else float("nan"),
            "cpu_us": self.cpu_seconds / len(latencies) * 1e6 if latencies else float("nan"),
        }


def envelope_fields(user: str, link_id: str) -> dict:
    from services.runtime import outbox

    application = mp.Application(
        name=f"employers/{ORG}/jobs/{ORG}/applications/{link_id}", worker=f"workers/{user}", job_title="Bench welder"
    )
    env = outbox.envelope(
        "marketplace",
        "application",
        link_id,
        market_events.ApplicationStatusChanged(
            application=application,
            employer=f"employers/{ORG}",
            to_status=mp.APPLICATION_STATUS_INTERVIEW,
            actor=f"users/{ORG}",
        ),
    )
    return {
        "id": env.id,
        "type": env.type,
        "aggregate_type": "application",
        "aggregate_id": link_id,
        "envelope": env.SerializeToString(),
    }


class Bench:
    def __init__(self, args, redis, stream_key: str, live_channel: str, server_pid: int) -> None:
        self.args = args
        self.redis = redis
        self.stream_key = stream_key
        self.live_channel = live_channel
        self.server = psutil.Process(server_pid)
        self.users: list[str] = []
        self.streams = Streams()

    def _cpu(self) -> float:
        times = self.server.cpu_times()
        return times.user + times.system

    async def _publish_events(self, items: list[tuple[str, str]], sent: dict[str, float]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        fields = [envelope_fields(user, link_id) for user, link_id in items]
        now = time.perf_counter()
        for (_user, link_id), f in zip(items, fields, strict=True):
            pipe.xadd(self.stream_key, f)
            sent[f"/employers/{ORG}/jobs/{ORG}/applications/{link_id}"] = now
        await pipe.execute()

    def _items(self, n: int) -> list[tuple[str, str]]:
        return [(self.users[i % len(self.users)], str(uuid.uuid4())) for i in range(n)]

    async def throughput(self, n: int, name: str = "throughput") -> Phase:
        phase = Phase(name, "as fast as possible", {})
        items = self._items(n)
        cpu = self._cpu()
        for start in range(0, n, 500):
            await self._publish_events(items[start : start + 500], phase.sent)
        phase.complete = await self.streams.wait_for(list(phase.sent), self.args.timeout)
        phase.cpu_seconds = self._cpu() - cpu
        return phase

    async def paced(self, rate: int, seconds: float) -> Phase:
        phase = Phase(f"paced {rate}/s", f"{rate}/s for {seconds:g} s", {})
        total = int(rate * seconds)
        items = self._items(total)
        tick = 0.01
        cpu = self._cpu()
        started = time.perf_counter()
        done = 0
        while done < total:
            due = min(total, int((time.perf_counter() - started) * rate) + 1)
            if due > done:
                await self._publish_events(items[done:due], phase.sent)
                done = due
            await asyncio.sleep(tick)
        phase.complete = await self.streams.wait_for(list(phase.sent), self.args.timeout)
        phase.cpu_seconds = self._cpu() - cpu
        return phase

    async def inbox_only(self, n: int, database_url: str) -> Phase:
        """Events for users with no open stream: the consumer and the inbox write alone."""
        import psycopg

        phase = Phase("inbox only", "as fast as possible", {})
        idle_users = [str(uuid.uuid4()) for _ in range(len(self.users))]
        items = [(idle_users[i % len(idle_users)], str(uuid.uuid4())) for i in range(n)]
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:

            async def written() -> int:
                row = await (
                    await conn.execute(
                        "SELECT count(*) FROM notifications.notifications WHERE user_id = ANY(%s)",
                        ([uuid.UUID(u) for u in idle_users],),
                    )
                ).fetchone()
                assert row is not None
                return row[0]

            cpu = self._cpu()
            started = time.perf_counter()
            for start in range(0, n, 500):
                await self._publish_events(items[start : start + 500], {})
            deadline = time.monotonic() + self.args.timeout
            while (done := await written()) < n and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            phase.cpu_seconds = self._cpu() - cpu
        phase.complete = done >= n
        phase.written, phase.elapsed = done, elapsed
        return phase

    async def fanout_only(self, n: int) -> Phase:
        """Publish notifications on the live channel directly, with each user's next event ids."""
        phase = Phase("fan-out only", "as fast as possible", {})
        # Each user's event ids continue from the newest its stream has seen, so the
        # streams take them as the next notifications (the inbox is not touched).
        counters = {u: self.streams.last_event.get(u, 0) for u in self.users}
        cpu = self._cpu()
        for start in range(0, n, 500):
            pipe = self.redis.pipeline(transaction=False)
            now = time.perf_counter()
            for i in range(start, min(n, start + 500)):
                user = self.users[i % len(self.users)]
                counters[user] += 1
                link = f"/fanout/{uuid.uuid4()}"
                item = pb.SubscribeResponse(
                    notification=pb.Notification(
                        name=f"users/{user}/notifications/{uuid.uuid4()}",
                        title="Bench",
                        link=link,
                        event_id=str(counters[user]),
                    )
                )
                pipe.publish(self.live_channel, fanout.frame(user, item.SerializeToString()))
                phase.sent[link] = now
            await pipe.execute()
        phase.complete = await self.streams.wait_for(list(phase.sent), self.args.timeout)
        phase.cpu_seconds = self._cpu() - cpu
        return phase


async def run(args) -> None:
    import redis.asyncio as aioredis

    from devstack.embedded import create_database, database_server_url, drop_database, redis_server_url
    from services.identity.domain import signing
    from services.runtime.fieldcrypt import new_master_key_spec

    scratch = pathlib.Path(tempfile.mkdtemp(prefix="iworkz-bench-"))
    pg_server = os.environ.get("DATABASE_URL") or database_server_url(scratch / "pg")
    redis_url = os.environ.get("REDIS_URL") or redis_server_url(scratch / "redis")
    run_id = uuid.uuid4().hex[:8]
    db_name = f"iworkz_bench_{run_id}"
    database_url = create_database(pg_server, db_name)
    prefix = f"bench:{run_id}:"
    key = signing.SigningKey.generate()
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "IWORKZ_MASTER_KEYS": new_master_key_spec("bench"),
        "IWORKZ_REDIS_PREFIX": prefix,
        "IWORKZ_IDENTITY_TARGET": "127.0.0.1:1",
        "NOTIFICATIONS_GRPC_PORT": str(port),
        "NOTIFICATIONS_HEARTBEAT_SECONDS": "15",
        "IWORKZ_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        "BENCH_JWKS": json.dumps([key.public_jwk()]),
        "PYTHONPATH": str(REPO),
    }
    for name in list(env):
        if name.startswith("NOTIFICATIONS_SMTP_"):
            del env[name]  # email is not what is measured
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve"], env=env, stdout=subprocess.PIPE, start_new_session=True
    )
    redis = aioredis.from_url(redis_url)
    channels: list[grpc.aio.Channel] = []
    bench = None
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 120)
        if b"listening" not in line:
            raise SystemExit(f"the service did not start: {line!r}")
        target = f"127.0.0.1:{port}"
        bench = Bench(args, redis, f"{prefix}events:marketplace", f"{prefix}live:notifications", process.pid)
        bench.users = [str(uuid.uuid4()) for _ in range(args.streams)]
        channels = [grpc.aio.insecure_channel(target) for _ in range(max(1, args.streams // 100))]
        stubs = [notifications_pb2_grpc.NotificationServiceStub(c) for c in channels]
        print(f"opening {args.streams} streams to the notifications replica (pid {process.pid}) ...", flush=True)
        for i, user in enumerate(bench.users):
            token = signing.issue_access_token(key, user, ["worker"], ttl=3600)
            bench.streams.open(stubs[i % len(stubs)], user, token)
        deadline = time.monotonic() + args.timeout
        while bench.streams.ready < args.streams and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        if bench.streams.ready < args.streams:
            raise SystemExit(f"only {bench.streams.ready} of {args.streams} streams opened: {bench.streams.errors[:3]}")

        print("warming up (one event per stream) ...", flush=True)
        await bench.throughput(args.streams, "warm-up")
        phases = [await bench.throughput(args.events)]
        for rate in args.rates:
            phases.append(await bench.paced(rate, args.seconds))
        phases.append(await bench.inbox_only(args.events, database_url))
        phases.append(await bench.fanout_only(args.events))
        report(args, phases, bench.streams)
    finally:
        if bench:
            await bench.streams.close()
        for channel in channels:
            await channel.close()
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        async for k in redis.scan_iter(match=prefix + "*"):
            await redis.delete(k)
        await redis.aclose()
        drop_database(pg_server, db_name)


def report(args, phases: list[Phase], streams: Streams) -> None:
    print()
    print(
        f"notifications: event published -> notification received on Subscribe, {args.streams} open streams,"
        f" one service process, loopback"
    )
    header = (
        f"{'phase':<18}{'offered':<22}{'delivered':>10}{'deliveries/s':>14}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'svc CPU µs/delivery':>21}"
    )
    print(header)
    print("-" * len(header))
    results = {}
    for phase in phases:
        f = phase.figures(streams.received)
        results[phase.name] = f
        note = "" if phase.complete else "  (incomplete: timed out)"
        print(
            f"{phase.name:<18}{phase.offered:<22}{f['delivered']:>5}/{f['sent']:<5}{f['rate']:>13,.0f}"
            f"{f['p50']:>9.1f}{f['p99']:>9.1f}{f['max']:>9.1f}{f['cpu_us']:>21.0f}{note}"
        )
    if streams.errors:
        print(f"stream errors: {len(streams.errors)} (first: {streams.errors[0]})")
    best = max(f["rate"] for name, f in results.items() if name not in ("fan-out only", "inbox only"))
    at_aim = results.get(f"paced {AIM_P99_AT_RATE}/s")
    print()
    print("issue aims                                  measured")
    print(
        f"  >= {AIM_THROUGHPUT:,} deliveries/s per process        end to end {best:,.0f}/s;"
        f" inbox write alone {results['inbox only']['rate']:,.0f}/s;"
        f" live path alone {results['fan-out only']['rate']:,.0f}/s"
    )
    if at_aim:
        print(
            f"  p99 <= {AIM_P99_MS:g} ms at {AIM_P99_AT_RATE:,} deliveries/s       p99 {at_aim['p99']:.1f} ms"
            f" at {at_aim['rate']:,.0f}/s achieved"
        )
    record("notifications", {"streams": args.streams, "events": args.events, "phases": results})
    print(
        f"  (cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}; the client and its"
        f" {args.streams} stream readers share them with the service, PostgreSQL and Redis)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument(
        "--rates", type=lambda s: [int(x) for x in s.split(",") if x], default=[500, 1000, 2500, 5000, 10000]
    )
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="longest wait in any phase")
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
