"""The hot public cache: hit rates and the latency it saves on anonymous job searches and pages.

    .venv/bin/python bench/cache_bench.py [--jobs 200] [--queries 60] [--requests 3000] [--writes-every 500]

Identity and marketplace run in this process on real PostgreSQL and Redis (DATABASE_URL /
REDIS_URL: a scratch database and key prefix, removed at the end; else embedded servers).
An employer publishes `--jobs` jobs; then `--requests` searches and job pages, drawn from
`--queries` distinct requests with a Zipf-like skew (a few hot ones, a long tail), are sent
twice over loopback gRPC: anonymously (served through the cache) and signed in (the same
requests, never cached: the database path). Every `--writes-every` requests the employer
retitles a job, which invalidates the cache everywhere, as in production. Printed: the
hit rate at each level (this replica's LRU, Redis, miss) and p50/p99 latency of both runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import random
import statistics
import sys
import tempfile
import time
import uuid

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from google.protobuf import field_mask_pb2  # noqa: E402
from prometheus_client import REGISTRY  # noqa: E402

from iworkz.marketplace.v1 import marketplace_pb2 as mp  # noqa: E402
from services.marketplace.tests.conftest import Marketplace  # noqa: E402
from services.runtime import server  # noqa: E402
from services.runtime.fieldcrypt import new_master_key_spec  # noqa: E402
from services.runtime.settings import Settings  # noqa: E402

WORDS = ["welder", "cook", "carer", "driver", "builder", "painter", "farmer", "cleaner", "packer", "nurse"]


def lookups() -> dict[str, float]:
    return {
        r: REGISTRY.get_sample_value("iworkz_cache_requests_total", {"cache": "marketplace-public", "result": r}) or 0
        for r in ("local", "redis", "miss")
    }


def ms(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1] * 1000


async def run(args: argparse.Namespace, database_url: str, redis_url: str) -> None:
    from services.identity.main import SPEC as IDENTITY
    from services.marketplace.main import SPEC as MARKETPLACE

    prefix = f"bench:cache:{uuid.uuid4().hex[:8]}:"
    base = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "IWORKZ_MASTER_KEYS": new_master_key_spec("k1"),
        "IWORKZ_REDIS_PREFIX": prefix,
        "IWORKZ_LOG_LEVEL": "WARNING",
    }
    async with server.running(IDENTITY, Settings.from_env("identity", base, needs_identity=False)) as identity:
        env = {**base, "IWORKZ_IDENTITY_TARGET": identity.target}
        async with server.running(MARKETPLACE, Settings.from_env("marketplace", env, needs_identity=True)) as market:
            helper = Marketplace(identity.target, market.target, database_url)
            try:
                await measure(args, helper)
            finally:
                await helper.close()
                redis = market.resources.redis
                async for key in redis.client.scan_iter(match=prefix + "*"):
                    await redis.client.delete(key)


async def measure(args: argparse.Namespace, helper: Marketplace) -> None:
    employer, worker = await helper.employer(), await helper.worker()
    tag = helper.unique_word("bench")
    jobs = []
    for i in range(args.jobs):
        jobs.append(await helper.job(employer, tag, title=f"{WORDS[i % len(WORDS)]} {tag}"))
    rng = random.Random(7)
    distinct = [
        mp.SearchJobsRequest(query=f"{tag} {WORDS[i % len(WORDS)]}", page_size=10 + i) for i in range(args.queries // 2)
    ] + [mp.GetJobRequest(name=jobs[i].name) for i in range(args.queries - args.queries // 2)]
    weights = [1 / (rank + 1) for rank in range(len(distinct))]  # Zipf, s = 1
    plan = rng.choices(range(len(distinct)), weights=weights, k=args.requests)
    anonymous = helper.anonymous().marketplace
    signed_in = worker.api

    async def call(api, request):
        if isinstance(request, mp.SearchJobsRequest):
            return await api.SearchJobs(request)
        return await api.GetJob(request)

    results = {}
    for label, api in (("signed in (database)", signed_in), ("anonymous (cached)", anonymous)):
        before = lookups()
        samples = []
        for n, index in enumerate(plan):
            if n and n % args.writes_every == 0:
                job = jobs[rng.randrange(len(jobs))]
                await employer.api.UpdateJob(
                    mp.UpdateJobRequest(
                        job=mp.Job(name=job.name, title=f"{WORDS[n % len(WORDS)]} {tag} v{n}"),
                        update_mask=field_mask_pb2.FieldMask(paths=["title"]),
                    )
                )
            started = time.perf_counter()
            await call(api, distinct[index])
            samples.append(time.perf_counter() - started)
        after = lookups()
        results[label] = (samples, {k: after[k] - before[k] for k in after})
    print(f"{args.requests} requests over {len(distinct)} distinct (Zipf), a job retitled every {args.writes_every}")
    for label, (samples, levels) in results.items():
        total = sum(levels.values())
        rate = " ".join(f"{k} {v / total:.1%}" for k, v in levels.items()) if total else "not cached"
        print(f"  {label:<22} p50 {ms(samples, 50):6.2f} ms  p99 {ms(samples, 99):6.2f} ms  {rate}")
    db, cached = results["signed in (database)"][0], results["anonymous (cached)"][0]
    print(f"  p50 gain {ms(db, 50) / ms(cached, 50):.1f}x, p99 gain {ms(db, 99) / ms(cached, 99):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--writes-every", type=int, default=500)
    args = parser.parse_args()
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    scratch = None
    if database_url:
        from devstack import embedded

        scratch = f"iworkz_bench_cache_{uuid.uuid4().hex[:8]}"
        server_url, database_url = database_url, embedded.create_database(database_url, scratch)
    else:
        from devstack import embedded

        state = pathlib.Path(tempfile.mkdtemp(prefix="iworkz-cache-bench-"))
        database_url = embedded.database_server_url(state / "pg")
    if not redis_url:
        from devstack import embedded

        redis_url = embedded.redis_server_url(pathlib.Path(tempfile.mkdtemp(prefix="iworkz-cache-bench-redis-")))
    try:
        asyncio.run(run(args, database_url, redis_url))
    finally:
        if scratch:
            embedded.drop_database(server_url, scratch)


if __name__ == "__main__":
    main()
