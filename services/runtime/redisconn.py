"""Redis client with a key prefix, so test runs and deployments never collide.

Connections are bounded. Ordinary commands share one pool of at most
`pool_size` connections; a command that finds them all busy waits (up to
`wait_seconds`, then redis-py's `ConnectionError`, which the error interceptor answers
UNAVAILABLE, as for Redis being away) instead of opening another, so a burst of RPCs cannot
grow a process's connections without limit. A reader that blocks on Redis
for long — a consumer's `XREADGROUP BLOCK`, a pub/sub listener — takes a
connection of its own (`dedicated()`), outside that pool: it never holds a
slot that RPCs wait for, and the pool's size is only theirs.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
import redis.exceptions

# Redis away, or no pooled connection free within `wait_seconds`: a call that met one of these may
# succeed if tried again, so the error interceptor answers it UNAVAILABLE, not INTERNAL.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class RedisClient:
    def __init__(self, url: str, prefix: str, pool_size: int = 16, wait_seconds: float = 5.0) -> None:
        self.url = url
        self.prefix = prefix
        # redis-py's declared reply types are unions over decode_responses and RESP
        # versions; with bytes replies fixed here, callers treat replies as bytes.
        self.pool: Any = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=pool_size, timeout=wait_seconds, decode_responses=False
        )
        self.client: Any = aioredis.Redis.from_pool(self.pool)  # closing the client closes the pool
        self._dedicated: list[Any] = []

    def key(self, *parts: str) -> str:
        """`prefix` + parts joined by ':'."""
        return self.prefix + ":".join(parts)

    def dedicated(self) -> Any:
        """A client over one connection of its own (opened on first use, reopened after a loss), for
        one long-blocking reader: its commands never wait for, nor hold, a slot of the shared pool.
        Closed with this client; its commands must not run concurrently (one would wait for the other)."""
        pool = aioredis.BlockingConnectionPool.from_url(
            self.url, max_connections=1, timeout=None, decode_responses=False
        )
        client = aioredis.Redis.from_pool(pool)
        self._dedicated.append(client)
        return client

    async def close(self) -> None:
        for client in self._dedicated:
            await client.aclose()
        self._dedicated.clear()
        await self.client.aclose()
