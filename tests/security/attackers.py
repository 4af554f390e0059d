"""Who attacks: signed-in callers of every role, and tokens a leaked or stolen key could make.

`make_callers` signs up a worker, an employer and an issuer twice each over the
edge (the second of each owns the "other" resources), creates an admin with the
operator command and exchanges an employer's API key for a partner token.
`mint` signs arbitrary claims with identity's real current key: the attacks
that only a valid signature can test (wrong issuer or audience, expiry, not
yet valid) need it.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import httpx
from edge_testing import PASSWORD, sign_up

from services.identity import store
from services.identity.domain import signing


@dataclass(frozen=True)
class Caller:
    role: str  # worker, employer, issuer, admin, partner
    token: str
    user: str  # user id (the token's subject)
    organization: str = ""  # the `org` claim, if any
    refresh_token: str = ""

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token}"),)

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@dataclass
class Callers:
    mine: dict[str, Caller] = field(default_factory=dict)  # one caller per role
    others: dict[str, Caller] = field(default_factory=dict)  # a second caller per role (whose resources are "other")


def _caller(role: str, data: dict) -> Caller:
    return Caller(
        role=role,
        token=data["tokens"]["accessToken"],
        user=data["user"]["name"].split("/")[1],
        organization=(data["user"].get("organization") or "").removeprefix("organizations/"),
        refresh_token=data["tokens"].get("refreshToken", ""),
    )


async def _admin(rest: httpx.AsyncClient, database_url: str) -> Caller:
    from services.cli import create_admin

    email = f"admin-{uuid.uuid4().hex[:10]}@example.com"
    await create_admin(database_url, email, "Security Admin", PASSWORD, actor="tests/security")
    response = await rest.post("/v1/auth:login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return _caller("admin", response.json())


async def _partner(rest: httpx.AsyncClient, employer: Caller) -> Caller:
    created = await rest.post(
        f"/v1/organizations/{employer.organization}/apiKeys",
        json={"displayName": "security suite", "roles": ["ROLE_EMPLOYER"]},
        headers=employer.headers,
    )
    assert created.status_code == 200, created.text
    secret = created.json()["secret"]
    exchanged = await rest.post("/v1/auth:exchangeApiKey", json={"secret": secret})
    assert exchanged.status_code == 200, exchanged.text
    token = exchanged.json()["tokens"]["accessToken"]
    claims = signing_claims(token)
    return Caller("partner", token, claims["sub"], claims.get("org", ""))


def signing_claims(token: str) -> dict:
    import jwt

    return jwt.decode(token, options={"verify_signature": False})


async def make_callers(edge, database_url: str, identity_service) -> Callers:
    callers = Callers()
    async with httpx.AsyncClient(base_url=edge.url, http2=True, verify=str(edge.ca), timeout=30) as rest:
        for kind in ("WORKER", "EMPLOYER", "ISSUER"):
            role = kind.lower()
            callers.mine[role] = _caller(role, await sign_up(rest, kind))
            callers.others[role] = _caller(role, await sign_up(rest, kind))
        callers.mine["admin"] = await _admin(rest, database_url)
        callers.others["admin"] = await _admin(rest, database_url)
        callers.mine["partner"] = await _partner(rest, callers.mine["employer"])
        callers.others["partner"] = await _partner(rest, callers.others["employer"])
    for role in ("employer", "issuer", "partner"):
        assert callers.mine[role].organization and callers.mine[role].organization != callers.others[role].organization
    return callers


async def real_key(identity_service) -> signing.SigningKey:
    """Identity's current signing key (what an attacker who stole it would hold)."""
    resources = identity_service.resources
    async with resources.db.connection() as conn:
        key = await store.current_signing_key(conn, resources.cipher)
    assert key is not None
    return key


def mint(key: signing.SigningKey, *, header: dict | None = None, **claims) -> str:
    """A token signed with `key` from identity's usual claims, overridden by `claims` (None removes one)."""
    import jwt

    now = int(time.time())
    payload = {
        "iss": signing.ISSUER,
        "aud": signing.AUDIENCE,
        "sub": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
        "typ": "user",
        "roles": ["worker"],
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key.private_pem, algorithm="ES256", headers={"kid": key.kid, **(header or {})})
