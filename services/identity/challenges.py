"""Second-factor login challenges, kept in Redis.

A password login to an account with TOTP on gets a challenge instead of
tokens: 256 random bits, stored (as their SHA-256) for 5 minutes with the
user id and a count of wrong codes. It is consumed by the first right code
(an atomic delete decides between two racing ones) and dropped after 5
wrong ones.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from services.runtime.redisconn import RedisClient

TTL_SECONDS = 5 * 60
MAX_WRONG_CODES = 5


@dataclass(frozen=True)
class Challenge:
    user_id: str
    wrong_codes: int


class Challenges:
    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis

    def _key(self, challenge: str) -> str:
        return self.redis.key("identity", "login-challenge", hashlib.sha256(challenge.encode()).hexdigest())

    async def open(self, user_id: str) -> str:
        challenge = "lc_" + secrets.token_urlsafe(32)
        key = self._key(challenge)
        pipe = self.redis.client.pipeline(transaction=True)
        pipe.hset(key, mapping={"user": user_id, "wrong": 0})
        pipe.expire(key, TTL_SECONDS)
        await pipe.execute()
        return challenge

    async def get(self, challenge: str) -> Challenge | None:
        found = await self.redis.client.hgetall(self._key(challenge))
        if not found:
            return None
        values = {(k.decode() if isinstance(k, bytes) else k): v for k, v in found.items()}
        user = values.get("user", b"")
        return Challenge(user.decode() if isinstance(user, bytes) else str(user), int(values.get("wrong", 0)))

    async def wrong_code(self, challenge: str) -> None:
        """Count a wrong code; the challenge ends at the limit."""
        key = self._key(challenge)
        if await self.redis.client.hincrby(key, "wrong", 1) >= MAX_WRONG_CODES:
            await self.redis.client.delete(key)

    async def consume(self, challenge: str) -> bool:
        """End the challenge; False if it had already ended (another request used it)."""
        return bool(await self.redis.client.delete(self._key(challenge)))
