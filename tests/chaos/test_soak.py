"""A soak (`make chaos` only: 10 minutes): steady reads and writes through the edge; each process's
memory (RSS) and open sockets stay flat within 10 % (sockets: or at most 2 more) from the end of the warm-up to the end.

Every app replica, sidecar and the edge of the chaos platform is sampled from /proc every 20 s;
the first and last three samples after a one-minute warm-up (ended by a burst of calls at once,
so the connection pools have reached their bounds) are compared by their medians. The apps'
PostgreSQL and Redis connections are reported apart (by the sockets' remote ports).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from urllib.parse import urlsplit

import grpc
import pytest
from chaos_tools import LONG, Load, job_message, report

from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client

SOAK_SECONDS = int(os.environ.get("CHAOS_SOAK_SECONDS", "600"))  # shorter only to try the test itself
WARM_UP_SECONDS = min(60, SOAK_SECONDS // 5)
SAMPLE_SECONDS = min(20, SOAK_SECONDS // 20)
RATE = 50
FLAT = 0.10
BURST = 400  # calls at once at the end of the warm-up: ~200 per marketplace replica


def _peer_ports() -> dict[int, int]:
    """Socket inode -> the remote port, for every established TCP connection of the machine."""
    peers: dict[int, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            next(rows)
            for row in rows:
                cols = row.split()
                if cols[3] == "01":  # ESTABLISHED
                    peers[int(cols[9])] = int(cols[2].rsplit(":", 1)[1], 16)
    return peers


def _sample(pid: int, peers: dict[int, int], postgres_port: int, redis_port: int) -> tuple[int, int, int, int]:
    """(RSS in kB, open sockets, PostgreSQL connections, Redis connections) of a process."""
    with open(f"/proc/{pid}/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    sockets = postgres = redis = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            sockets += 1
            peer = peers.get(int(target[8:-1]))
            postgres += peer == postgres_port
            redis += peer == redis_port
    return rss, sockets, postgres, redis


def _median_pair(series: list[tuple[int, ...]], index: int) -> str:
    """`first -> last`: the medians of the first and the last three samples of one figure."""
    first = statistics.median(s[index] for s in series[:3])
    last = statistics.median(s[index] for s in series[-3:])
    return f"{first:g} -> {last:g}"


@pytest.mark.skipif(not LONG, reason="the 10-minute soak runs in `make chaos` (CHAOS_LONG=1)")
async def test_a_ten_minute_soak_keeps_memory_and_connections_flat(edge_platform):
    platform = edge_platform
    edge = platform.running_edge
    processes = {f"{p.service}-{p.replica}-{p.kind}": p.pid for p in platform.procs if p.kind in ("app", "sidecar")}
    processes["edge"] = edge.pid
    creds = grpc.ssl_channel_credentials(edge.ca.read_bytes())
    target = f"localhost:{edge.port}"
    tag = f"soak{uuid.uuid4().hex[:8]}"
    samples: dict[str, list[tuple[int, int, int, int]]] = {name: [] for name in processes}
    postgres_port = urlsplit(platform.env["DATABASE_URL"]).port or 5432
    redis_port = urlsplit(platform.env["REDIS_URL"]).port or 6379
    async with (
        Client(target, credentials=creds) as account,
        Client(target, credentials=creds, options=[("grpc.enable_retries", 0)]) as reader,
        Client(target, credentials=creds) as writer,
    ):
        signed = await account.sign_up(
            email=f"{tag}@example.com",
            password="correct horse battery staple",
            display_name="Soak",
            account_type=identity_pb2.ACCOUNT_TYPE_EMPLOYER,
            organization_display_name="Soak Works",
        )
        # Each client its own session: refresh tokens rotate, and one family shared by two clients
        # would look like a replayed refresh token (and be revoked) once the access token expires.
        writer.use_tokens(signed.tokens)
        reader.use_tokens((await account.login(f"{tag}@example.com", "correct horse battery staple")).tokens)
        parent = "employers/" + signed.organization.name.split("/")[1]
        job = (await writer.marketplace.CreateJob(mp.CreateJobRequest(parent=parent, job=job_message(tag)))).job
        load = Load(reader, writer, parent, job.name, tag, RATE)
        runner = asyncio.create_task(load.run())
        started = time.monotonic()
        try:
            await asyncio.sleep(WARM_UP_SECONDS)
            # Connection pools grow to the most connections the load has needed at once so far, up
            # to their bounds; on a busy machine a stall can make that any moment. A burst brings
            # them to their bounds first, so what is measured from here is the steady state.
            await load.burst(BURST)
            while time.monotonic() - started < SOAK_SECONDS:
                peers = _peer_ports()
                for name, pid in processes.items():
                    samples[name].append(_sample(pid, peers, postgres_port, redis_port))
                await asyncio.sleep(SAMPLE_SECONDS)
        finally:
            await load.stop()
            runner.cancel()

    growth: dict[str, tuple[float, float]] = {}
    socket_delta: dict[str, float] = {}  # a handful of sockets over a small base is not a leak
    for name, series in samples.items():
        first, last = series[:3], series[-3:]
        rss = statistics.median(s[0] for s in last) / statistics.median(s[0] for s in first) - 1
        sockets_first = statistics.median(s[1] for s in first)
        sockets = statistics.median(s[1] for s in last) / max(1, sockets_first) - 1
        growth[name] = (round(rss * 100, 1), round(sockets * 100, 1))
        socket_delta[name] = statistics.median(s[1] for s in last) - sockets_first
    errors = sum(v for c in load.codes.values() for k, v in c.items() if not k.endswith(":OK"))
    by_code: dict[str, int] = {}
    for counts in load.codes.values():
        for key, value in counts.items():
            if not key.endswith(":OK"):
                by_code[key] = by_code.get(key, 0) + value
    report(
        f"soak: {SOAK_SECONDS // 60} minutes at {RATE} rps through the edge",
        requests=sum(sum(c.values()) for c in load.codes.values()),
        errors=errors,
        errors_by_kind_and_code=by_code or "none",
        growth_percent_rss_sockets={k: f"{v[0]} % / {v[1]} %" for k, v in growth.items()},
        rss_kb_first_last={k: _median_pair(v, 0) for k, v in samples.items()},
        open_sockets_first_last={k: _median_pair(v, 1) for k, v in samples.items()},
        postgres_connections_first_last={k: _median_pair(v, 2) for k, v in samples.items() if "-app" in k},
        redis_connections_first_last={k: _median_pair(v, 3) for k, v in samples.items() if "-app" in k},
    )
    assert errors == 0
    grew = {k: v for k, v in growth.items() if v[0] > FLAT * 100 or v[1] > FLAT * 100 and socket_delta[k] > 2}
    assert grew == {}, f"memory or sockets grew more than 10 % (RSS %, sockets %): {grew}"
