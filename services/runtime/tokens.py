"""Access-token verification against identity's published keys.

Keys are cached; a token signed with a key id the cache does not know makes
the cache refresh once (at most every `min_refresh_seconds`), which is how
services pick up a rotated key without a restart.

Verified tokens are cached too (a client sends the same token on every call
until it expires): a token seen before skips parsing and the ECDSA check,
but its expiry is checked again, its key must still be in the JWKS (a key
rotated out takes its tokens with it) and the revoked-subjects list is asked
on every call, as for a new token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from services.runtime.context import Caller
from services.runtime.errors import Unauthenticated

log = logging.getLogger(__name__)

PublicKey = ec.EllipticCurvePublicKey

JwksFetcher = Callable[[], Awaitable[list[dict[str, Any]]]]


def _public_key(jwk: dict[str, Any]) -> PublicKey:
    key = ECAlgorithm.from_jwk(json.dumps(jwk))
    if not isinstance(key, PublicKey):
        raise ValueError(f"JWKS key {jwk.get('kid')!r} is not an EC public key")
    return key


class JwksCache:
    """Public keys by key id, fetched by `fetch` (identity's GetJwks, or its own store)."""

    def __init__(self, fetch: JwksFetcher, min_refresh_seconds: float = 5.0) -> None:
        self._fetch = fetch
        self._keys: dict[str, PublicKey] = {}
        self._fetched_at = 0.0
        self._min_refresh = min_refresh_seconds
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        jwks = await self._fetch()
        self._keys = {k["kid"]: _public_key(k) for k in jwks}
        self._fetched_at = time.monotonic()

    def knows(self, kid: str) -> bool:
        """Whether `kid` is in the JWKS as last fetched (no fetch)."""
        return kid in self._keys

    async def key(self, kid: str) -> PublicKey:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched_at >= self._min_refresh:
                try:
                    await self.refresh()
                except Exception:  # identity unreachable: the token cannot be checked
                    log.warning("could not refresh JWKS", exc_info=True)
                    raise Unauthenticated("signing keys are unavailable; try again") from None
        if kid not in self._keys:
            raise Unauthenticated("token signed with an unknown key")
        return self._keys[kid]


class TokenVerifier:
    """Verifies ES256 access tokens and turns their claims into a Caller."""

    def __init__(
        self,
        keys: JwksCache,
        issuer: str,
        audience: str,
        leeway: float = 5.0,
        revoked: Callable[..., Awaitable[bool]] | None = None,
        cache_size: int = 10_000,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        # Asked last, for a token otherwise valid: is its subject refused (disabled user, revoked key)
        # or its session signed out? Called with the subject and `session:<sid>` when the token has one.
        self.revoked = revoked
        # token -> (caller, its key id, expiry as a Unix time): tokens whose signature and claims held.
        self._verified: OrderedDict[str, tuple[Caller, str, float]] = OrderedDict()
        self._cache_size = cache_size

    async def verify(self, token: str) -> Caller:
        seen = self._verified.get(token)
        if seen is not None:
            caller, kid, expires = seen
            if time.time() < expires + self.leeway and self.keys.knows(kid):
                self._verified.move_to_end(token)
                await self._check_not_revoked(caller)
                return caller
            del self._verified[token]  # expired or its key rotated out: the full check says why
        caller, kid, expires = await self._verify_fully(token)
        self._verified[token] = (caller, kid, expires)
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)
        return caller

    async def _verify_fully(self, token: str) -> tuple[Caller, str, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("malformed token") from None
        if header.get("alg") != "ES256" or not header.get("kid"):
            raise Unauthenticated("token must be ES256 with a key id")
        key = await self.keys.key(str(header["kid"]))
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["ES256"],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "aud", "iss", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token expired") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated("token is not meant for this audience") from None
        except jwt.PyJWTError:
            raise Unauthenticated("invalid token") from None
        roles = claims.get("roles", [])
        if not isinstance(roles, list):
            raise Unauthenticated("invalid token")
        caller = Caller(
            subject=str(claims["sub"]),
            kind=str(claims.get("typ", "user")),
            roles=frozenset(str(r) for r in roles),
            organization=str(claims.get("org", "")),
            token_id=str(claims["jti"]),
            session=str(claims.get("sid", "")),
        )
        await self._check_not_revoked(caller)
        return caller, str(header["kid"]), float(claims["exp"])

    async def _check_not_revoked(self, caller: Caller) -> None:
        if self.revoked is None:
            return
        subjects = [caller.subject, f"session:{caller.session}"] if caller.session else [caller.subject]
        if await self.revoked(*subjects):
            raise Unauthenticated("this account or key has been disabled, or this session signed out")
