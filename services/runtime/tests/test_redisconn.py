"""The Redis client's connections are bounded: a burst of commands waits for the shared pool instead of
growing it, and long-blocking readers (stream reads, pub/sub) hold connections of their own."""

from __future__ import annotations

import asyncio
import time
import uuid

from services.runtime.fanout import Fanout
from services.runtime.redisconn import RedisClient


def _open(pool) -> int:
    return len(pool._in_use_connections) + len(pool._available_connections)


async def test_a_burst_of_commands_waits_for_the_capped_pool(redis_url):
    redis = RedisClient(redis_url, f"test:redisconn:{uuid.uuid4().hex[:8]}:", pool_size=3)
    try:
        key = redis.key("counter")
        await asyncio.gather(*(redis.client.incr(key) for _ in range(200)))
        assert int(await redis.client.get(key)) == 200  # every command ran: none was refused
        assert _open(redis.pool) <= 3
        await redis.client.delete(key)
    finally:
        await redis.close()


async def test_blocking_readers_do_not_hold_a_slot_of_the_pool(redis_url):
    redis = RedisClient(redis_url, f"test:redisconn:{uuid.uuid4().hex[:8]}:", pool_size=1)
    hub = Fanout(redis, redis.key("live", "test"))
    listener = asyncio.create_task(hub.run())
    stream = redis.key("events", "test")
    await redis.client.xgroup_create(stream, "g", id="$", mkstream=True)
    reader = redis.dedicated()
    blocked = asyncio.create_task(reader.xreadgroup("g", "m", {stream: ">"}, count=1, block=3000))
    try:
        await asyncio.wait_for(hub.ready.wait(), 10)
        await asyncio.sleep(0.2)  # the stream read is blocked in Redis now
        started = time.monotonic()
        assert await redis.client.ping()  # the one shared connection is free
        assert time.monotonic() - started < 1.0
        assert not blocked.done()
        assert _open(redis.pool) == 1
    finally:
        listener.cancel()
        blocked.cancel()
        await asyncio.gather(listener, blocked, return_exceptions=True)
        await redis.client.delete(stream)
        await redis.close()
