"""A marketplace replica, then a sidecar, SIGKILLed while requests flow through the edge.

The platform (identity ×1, marketplace ×2, their sidecars and the edge Envoy) is started by the
launcher's own code on free ports. Load: reads (`GetJob`, no client retries: whatever hides a
failure is the mesh's doing) and creating writes (`CreateJob` through the SDK, which gives each a
request id and retries it on UNAVAILABLE) at a fixed rate. Promises: reads see no error; no write
is applied twice (every acknowledged write exists once; none exists twice). Figures per phase
(before, during, after): requests, errors, the edge's retries, p99.
"""

from __future__ import annotations

import asyncio
import collections
import json
import time
import urllib.request
import uuid

import grpc
import psycopg
import pytest
from chaos_tools import LONG, Load, job_message, p99, report

from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client

RATE = 200 if LONG else 60  # requests per second offered, a fifth of them writes
PHASE_SECONDS = 20 if LONG else 6


def _edge_retries(platform) -> int:
    url = f"http://127.0.0.1:{platform.running_edge.admin_port}/stats?format=json&filter=^cluster.svc_marketplace.upstream_rq_retry$"
    with urllib.request.urlopen(url, timeout=10) as response:
        stats = json.loads(response.read()).get("stats", [])
    return sum(s.get("value", 0) for s in stats)


async def _rows_by_title(database_url: str, tag: str) -> collections.Counter[str]:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        rows = await (
            await conn.execute("SELECT title FROM marketplace.jobs WHERE title LIKE %s", (tag + " %",))
        ).fetchall()
    return collections.Counter(r[0] for r in rows)


@pytest.mark.parametrize("kind", ["app", "sidecar"])
async def test_a_replica_killed_under_load(edge_platform, database_url, kind):
    platform = edge_platform
    edge = platform.running_edge
    creds = grpc.ssl_channel_credentials(edge.ca.read_bytes())
    target = f"localhost:{edge.port}"
    tag = f"chaos{uuid.uuid4().hex[:8]}"
    async with (
        Client(target, credentials=creds) as account,
        Client(target, credentials=creds, options=[("grpc.enable_retries", 0)]) as reader,
        Client(target, credentials=creds) as writer,
    ):
        signed = await account.sign_up(
            email=f"{tag}@example.com",
            password="correct horse battery staple",
            display_name="Shift Lead",
            account_type=identity_pb2.ACCOUNT_TYPE_EMPLOYER,
            organization_display_name="Osaka Packing",
        )
        # Each client its own session: refresh tokens rotate, and one family shared by two clients
        # would look like a replayed refresh token (and be revoked) once the access token expires.
        writer.use_tokens(signed.tokens)
        reader.use_tokens((await account.login(f"{tag}@example.com", "correct horse battery staple")).tokens)
        parent = "employers/" + signed.organization.name.split("/")[1]
        job = (
            await writer.marketplace.CreateJob(mp.CreateJobRequest(parent=parent, job=job_message(f"{tag} seed")))
        ).job
        load = Load(reader, writer, parent, job.name, tag, RATE)
        runner = asyncio.create_task(load.run())
        victim = platform.proc("marketplace", 1, kind)
        retries = {}
        try:
            retries["start"] = _edge_retries(platform)
            await asyncio.sleep(PHASE_SECONDS)
            load.phase = "during"
            retries["before"] = _edge_retries(platform)
            killed = time.monotonic()
            await asyncio.to_thread(platform.kill, victim)  # SIGKILL: no drain
            await asyncio.sleep(PHASE_SECONDS)
            retries["during"] = _edge_retries(platform)
            platform.spawn(victim)
            await asyncio.to_thread(platform.wait_ready, [victim])
            load.phase = "after"
            await asyncio.sleep(PHASE_SECONDS)
            retries["after"] = _edge_retries(platform)
        finally:
            await load.stop()
            runner.cancel()

    counts = await _rows_by_title(database_url, tag)
    twice = {title: n for title, n in counts.items() if n > 1}
    read_failures = [f for f in load.failures if f[1] == "read"]
    acknowledged_titles = len(load.acknowledged)
    last_failure = max((f[0] for f in load.failures), default=killed)
    report(
        f"marketplace replica's {kind} SIGKILLed at {RATE} rps through the edge",
        **{
            f"{phase}": {
                "requests": sum(load.codes[phase].values()),
                "errors": sum(v for k, v in load.codes[phase].items() if not k.endswith(":OK")),
                "edge_retries": retries[phase] - retries[prev],
                "p99_ms": p99(load.latency[phase]),
            }
            for phase, prev in (("before", "start"), ("during", "before"), ("after", "during"))
        },
        writes_acknowledged=acknowledged_titles,
        writes_applied_twice=len(twice),
        seconds_until_no_request_fails=round(max(0.0, last_failure - killed), 1),
        codes={p: dict(c) for p, c in load.codes.items()},
    )
    assert read_failures == [], f"{len(read_failures)} reads failed: {read_failures[:5]}"
    assert twice == {}, f"writes applied twice: {twice}"
    assert len(load.acknowledged) == len(set(load.acknowledged))
    assert sum(counts.values()) >= len(load.acknowledged)  # every acknowledged write exists
