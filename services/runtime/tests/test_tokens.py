"""The token verifier's cache of verified tokens: what it may skip and what it must still check."""

from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from services.runtime.errors import Unauthenticated
from services.runtime.tokens import JwksCache, TokenVerifier

ISSUER, AUDIENCE = "https://issuer.test", "iworkz-test"


class Keys:
    """A JWKS that can rotate: the fetcher serves whatever keys are published now."""

    def __init__(self) -> None:
        self.private: dict[str, ec.EllipticCurvePrivateKey] = {}
        self.fetches = 0

    def add(self) -> str:
        kid = uuid.uuid4().hex
        self.private[kid] = ec.generate_private_key(ec.SECP256R1())
        return kid

    async def fetch(self) -> list[dict]:
        self.fetches += 1
        return [
            {**json.loads(ECAlgorithm.to_jwk(k.public_key())), "kid": kid, "alg": "ES256"}
            for kid, k in self.private.items()
        ]

    def token(self, kid: str, subject: str = "u1", ttl: float = 600, **claims) -> str:
        now = time.time()
        payload = {"sub": subject, "iss": ISSUER, "aud": AUDIENCE, "iat": int(now), "exp": now + ttl}
        payload |= {"jti": uuid.uuid4().hex, "roles": ["worker"], **claims}
        return jwt.encode(payload, self.private[kid], algorithm="ES256", headers={"kid": kid})


async def test_a_verified_token_is_taken_from_the_cache_and_still_asks_the_revocation_list():
    keys = Keys()
    kid = keys.add()
    asked: list[str] = []
    refused: set[str] = set()

    async def revoked(subject: str) -> bool:
        asked.append(subject)
        return subject in refused

    verifier = TokenVerifier(JwksCache(keys.fetch, min_refresh_seconds=0), ISSUER, AUDIENCE, revoked=revoked)
    token = keys.token(kid)
    first = await verifier.verify(token)
    again = await verifier.verify(token)
    assert first == again and first.subject == "u1" and first.roles == frozenset({"worker"})
    assert asked == ["u1", "u1"] and keys.fetches == 1
    refused.add("u1")  # the account is disabled: the cached token is refused like a new one
    with pytest.raises(Unauthenticated, match="disabled"):
        await verifier.verify(token)


async def test_a_token_of_a_signed_out_session_is_refused_with_one_question():
    keys = Keys()
    kid = keys.add()
    asked: list[tuple[str, ...]] = []
    refused: set[str] = set()

    async def revoked(*subjects: str) -> bool:
        asked.append(subjects)
        return bool(refused & set(subjects))

    verifier = TokenVerifier(JwksCache(keys.fetch, min_refresh_seconds=0), ISSUER, AUDIENCE, revoked=revoked)
    phone, laptop = keys.token(kid, sid="s-phone"), keys.token(kid, sid="s-laptop")
    assert (await verifier.verify(phone)).session == "s-phone"
    assert asked == [("u1", "session:s-phone")]
    refused.add("session:s-phone")  # the phone was signed out
    with pytest.raises(Unauthenticated, match="signed out"):
        await verifier.verify(phone)
    assert (await verifier.verify(laptop)).session == "s-laptop"


async def test_a_cached_token_dies_with_its_key_and_at_its_expiry():
    keys = Keys()
    old = keys.add()
    verifier = TokenVerifier(JwksCache(keys.fetch, min_refresh_seconds=0), ISSUER, AUDIENCE, leeway=0)
    token = keys.token(old)
    await verifier.verify(token)
    # The key is rotated out of the JWKS (learnt when a token of the new key arrives).
    new = keys.add()
    del keys.private[old]
    await verifier.verify(keys.token(new))
    with pytest.raises(Unauthenticated, match="unknown key"):
        await verifier.verify(token)

    short = keys.token(new, ttl=1.0)
    await verifier.verify(short)
    time.sleep(1.2)
    with pytest.raises(Unauthenticated, match="expired"):
        await verifier.verify(short)


async def test_a_tampered_token_is_not_taken_for_a_cached_one():
    keys = Keys()
    kid = keys.add()
    verifier = TokenVerifier(JwksCache(keys.fetch), ISSUER, AUDIENCE)
    token = keys.token(kid)
    await verifier.verify(token)
    header, payload, signature = token.split(".")
    forged = jwt.encode({"sub": "admin", "iss": ISSUER, "aud": AUDIENCE}, "k" * 32, algorithm="HS256").split(".")[1]
    with pytest.raises(Unauthenticated):
        await verifier.verify(f"{header}.{forged}.{signature}")
