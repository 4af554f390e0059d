"""Redis client with a key prefix, so test runs and deployments never collide."""

from __future__ import annotations

import redis.asyncio as aioredis


class RedisClient:
    def __init__(self, url: str, prefix: str) -> None:
        self.client = aioredis.from_url(url, decode_responses=False)
        self.prefix = prefix

    def key(self, *parts: str) -> str:
        """`prefix` + parts joined by ':'."""
        return self.prefix + ":".join(parts)

    async def close(self) -> None:
        await self.client.aclose()
