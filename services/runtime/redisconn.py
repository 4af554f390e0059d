"""Redis client with a key prefix, so test runs and deployments never collide."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis


class RedisClient:
    def __init__(self, url: str, prefix: str) -> None:
        # redis-py's declared reply types are unions over decode_responses and RESP
        # versions; with bytes replies fixed here, callers treat replies as bytes.
        self.client: Any = aioredis.from_url(url, decode_responses=False)
        self.prefix = prefix

    def key(self, *parts: str) -> str:
        """`prefix` + parts joined by ':'."""
        return self.prefix + ":".join(parts)

    async def close(self) -> None:
        await self.client.aclose()
