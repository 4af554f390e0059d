"""Token subjects refused before their tokens expire: a disabled user, a revoked API key,
a signed-out session (`session:<id>`, the access token's `sid` claim).

Access tokens are checked by signature alone (at the edge and in every
service), so without this list a disabled user's token would keep working for
the rest of its lifetime (up to 15 minutes). Identity adds the subject when it
disables an account or revokes a key; each service's token verifier asks
before accepting a token. An entry lives as long as the longest access token,
after which every token issued before it has expired anyway.

Failure mode: when Redis cannot be reached the check lets the token through
(logged): the signature, issuer, audience and expiry still hold, and a Redis
outage must not take down every authenticated call. The window is the token's
remaining lifetime at most.
"""

from __future__ import annotations

import logging

from services.runtime.redisconn import RedisClient

log = logging.getLogger(__name__)

# Longest access token (identity's ACCESS_TOKEN_SECONDS) plus the verifiers' leeway.
ENTRY_SECONDS = 15 * 60 + 60


class Revocations:
    """The revoked-subjects list in Redis, shared by identity (writer) and every service (readers)."""

    def __init__(self, redis: RedisClient, entry_seconds: int = ENTRY_SECONDS) -> None:
        self.redis = redis
        self.entry_seconds = entry_seconds

    def _key(self, subject: str) -> str:
        return self.redis.key("revoked-subject", subject)

    async def revoke(self, subject: str, reason: str) -> None:
        """Refuse every token of `subject` issued until now (raises if Redis cannot record it)."""
        await self.redis.client.set(self._key(subject), reason.encode()[:200] or b"revoked", ex=self.entry_seconds)

    async def is_revoked(self, *subjects: str) -> bool:
        """Whether any of `subjects` is refused (one round trip however many)."""
        try:
            return bool(await self.redis.client.exists(*(self._key(s) for s in subjects)))
        except Exception:  # Redis down: see the module docstring
            log.warning("could not check the revoked-subjects list", exc_info=True)
            return False
