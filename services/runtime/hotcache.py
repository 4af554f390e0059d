"""Two-level cache for hot public reads: an in-process LRU per replica over a shared Redis cache.

`get(key, load)` answers from the replica's own LRU (no I/O), else from Redis (one round trip,
filled by any replica), else calls `load()` (the database) and fills both. Values are bytes
(serialised responses), entries live at most `ttl` seconds at either level.

Invalidation is by generation: every key is stored under the cache's current generation.
`invalidate()` (called when a domain event says public data changed) increments the generation
in Redis, so no replica can read an older entry from Redis again, and announces it on the
fan-out channel, so every replica drops its LRU at once. A replica whose listener missed
messages (`RESYNC`) re-reads the generation; `ttl` bounds what a lost message can cost.
Only public data belongs here: the same key must mean the same answer for every caller.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from prometheus_client import Counter

from services.runtime.cancellation import raise_if_cancelled
from services.runtime.fanout import RESYNC, Fanout
from services.runtime.redisconn import RedisClient

REQUESTS = Counter("iworkz_cache_requests_total", "Hot-cache lookups by cache and result", ["cache", "result"])


class HotCache:
    def __init__(
        self, redis: RedisClient, fanout: Fanout, name: str, max_entries: int = 10_000, ttl: float = 30.0
    ) -> None:
        self.redis, self.fanout, self.name = redis, fanout, name
        self.max_entries, self.ttl = max_entries, ttl
        self.generation = 0
        self._local: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._topic = f"cache:{name}"
        self._generation_key = redis.key("cache", name, "generation")

    def _redis_key(self, key: str) -> str:
        return self.redis.key("cache", self.name, str(self.generation), key)

    async def get(self, key: str, load: Callable[[], Awaitable[bytes]]) -> bytes:
        now = time.monotonic()
        local = self._local.get(key)
        if local is not None and local[0] > now:
            self._local.move_to_end(key)
            REQUESTS.labels(self.name, "local").inc()
            return local[1]
        generation, shared_key = self.generation, self._redis_key(key)  # both as before the read
        shared = await self.redis.client.get(shared_key)
        if shared is not None:
            REQUESTS.labels(self.name, "redis").inc()
            value = bytes(shared)
        else:
            REQUESTS.labels(self.name, "miss").inc()
            value = await load()
            # Under the generation the read started in: a value read before an invalidation is never
            # found under the new generation.
            await self.redis.client.set(shared_key, value, px=int(self.ttl * 1000))
        if generation == self.generation:  # not invalidated while we were reading
            self._remember(key, value, now)
        return value

    def _remember(self, key: str, value: bytes, now: float) -> None:
        self._local[key] = (now + self.ttl, value)
        self._local.move_to_end(key)
        while len(self._local) > self.max_entries:
            self._local.popitem(last=False)

    async def invalidate(self) -> None:
        """Public data changed: a new generation everywhere."""
        generation = int(await self.redis.client.incr(self._generation_key))
        self._set_generation(generation)
        await self.fanout.publish_many([(self._topic, str(generation).encode())])

    def _set_generation(self, generation: int) -> None:
        if generation != self.generation:
            self.generation = generation
            self._local.clear()

    async def _read_generation(self) -> None:
        self._set_generation(int(await self.redis.client.get(self._generation_key) or 0))

    async def listen(self) -> None:
        """Follow other replicas' invalidations until cancelled (a background task; needs `fanout.run()`)."""
        await self._read_generation()
        async with self.fanout.subscribe(self._topic) as subscription:
            while True:
                raise_if_cancelled()
                item = await subscription.get(timeout=5.0)
                if item is RESYNC or item is None:  # missed messages, or a quiet spell: check
                    await self._read_generation()
                elif isinstance(item, bytes):
                    self._set_generation(max(self.generation, int(item)))
                await asyncio.sleep(0)
