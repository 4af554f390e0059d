"""Anonymous job pages and searches come from the two-level cache, and job events invalidate it
on every replica (runtime.hotcache, marketplace/public_cache.py), with real Redis and events."""

from __future__ import annotations

import asyncio
import time

from google.protobuf import field_mask_pb2
from prometheus_client import REGISTRY

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from services.runtime.fanout import Fanout
from services.runtime.hotcache import HotCache


def lookups(result: str) -> float:
    labels = {"cache": "marketplace-public", "result": result}
    return REGISTRY.get_sample_value("iworkz_cache_requests_total", labels) or 0


async def until(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not (value := await check()):
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.1)
    return value


async def test_anonymous_reads_are_cached_and_a_job_event_invalidates_them(market):
    employer = await market.employer()
    word = market.unique_word()
    job = await market.job(employer, word)
    anonymous = market.anonymous().marketplace
    search = mp.SearchJobsRequest(query=word)
    misses = lookups("miss")
    first = await anonymous.GetJob(mp.GetJobRequest(name=job.name))
    found = await anonymous.SearchJobs(search)
    assert lookups("miss") == misses + 2 and [j.name for j in found.jobs] == [job.name]
    # A repeat is answered by this replica's LRU, without I/O. (Other tests' job events start new
    # generations now and then, so a pair may straddle one: a few tries.)
    for call, expected in (
        (lambda: anonymous.GetJob(mp.GetJobRequest(name=job.name)), first),
        (lambda: anonymous.SearchJobs(search), found),
    ):
        for _ in range(10):
            assert await call() == expected
            local = lookups("local")
            assert await call() == expected
            if lookups("local") == local + 1:
                break
        else:
            raise AssertionError("a repeated anonymous read never came from the local cache")

    # The employer (signed in: never cached) retitles the job; the JobUpdated event invalidates
    # the cache, well before its 30 s time to live.
    started = time.monotonic()
    await employer.api.UpdateJob(
        mp.UpdateJobRequest(
            job=market.job_message(name=job.name, title=f"TIG welder {word}"),
            update_mask=field_mask_pb2.FieldMask(paths=["title"]),
        )
    )

    async def retitled():
        page = await anonymous.GetJob(mp.GetJobRequest(name=job.name))
        return page.job.title == f"TIG welder {word}"

    await until(retitled)
    assert time.monotonic() - started < 20
    found = await anonymous.SearchJobs(search)
    assert [j.title for j in found.jobs] == [f"TIG welder {word}"]


async def test_an_invalidation_reaches_every_replica(redis_url):
    import uuid

    from services.runtime.redisconn import RedisClient

    redis = RedisClient(redis_url, f"test:hotcache:{uuid.uuid4().hex[:8]}:")
    replicas = []
    tasks = []
    for _ in range(2):
        fanout = Fanout(redis, redis.key("live", "cache"))
        cache = HotCache(redis, fanout, "jobs", ttl=60)
        replicas.append(cache)
        tasks += [asyncio.create_task(fanout.run()), asyncio.create_task(cache.listen())]
    try:
        loads = []

        def loader(value: bytes):
            async def load() -> bytes:
                loads.append(value)
                return value

            return load

        a, b = replicas
        assert await a.get("k", loader(b"v1")) == b"v1"
        assert await b.get("k", loader(b"never")) == b"v1"  # filled by the other replica, through Redis
        assert loads == [b"v1"]
        await until(lambda: _ready(a, b))
        await a.invalidate()
        await until(lambda: _same_generation(a, b))
        assert await b.get("k", loader(b"v2")) == b"v2"  # b's LRU was dropped and Redis has a new generation
        assert await a.get("k", loader(b"never")) == b"v2"
        assert loads == [b"v1", b"v2"]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        async for key in redis.client.scan_iter(match=redis.prefix + "*"):
            await redis.client.delete(key)
        await redis.close()


async def _ready(*caches: HotCache) -> bool:
    return all(c.fanout.ready.is_set() for c in caches)


async def _same_generation(a: HotCache, b: HotCache) -> bool:
    return a.generation == b.generation > 0
