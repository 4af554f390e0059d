"""Forged, bent and stolen tokens: refused at the edge (HTTP 401 JSON) and again by the services
when called directly (UNAUTHENTICATED), so a path around the edge gains nothing.

Tokens that need a valid signature to be a real test (wrong issuer or audience,
expired, not yet valid, path tricks in `kid`) are signed with identity's real
key, as an attacker who stole it, or another service's key, would sign them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import grpc
import httpx
import pytest
from attackers import mint, real_key
from cryptography.hazmat.primitives import serialization
from edge_testing import assert_error_shape, service_calls, sign_up

from iworkz.identity.v1 import identity_pb2 as idp
from iworkz.identity.v1 import identity_pb2_grpc
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.marketplace.v1 import marketplace_pb2_grpc

GET_PROFILE = "/iworkz.marketplace.v1.MarketplaceService/GetWorkerProfile"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict, claims: dict, secret: bytes | None) -> str:
    """A token built by hand: HS256 over `secret`, or no signature at all (secret None)."""
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    if secret is None:
        return signing_input + "."
    return signing_input + "." + _b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def claims_for(user: str, **extra) -> dict:
    now = int(time.time())
    return {
        "iss": "iworkz-identity",
        "aud": "iworkz",
        "sub": user,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
        "typ": "user",
        "roles": ["worker", "admin"],
        **extra,
    }


def public_pem(key) -> bytes:
    private = serialization.load_pem_private_key(key.private_pem, password=None)
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _attack_tokens(key, user: str) -> dict[str, str]:
    now = int(time.time())
    return {
        "alg-none": hand_made({"alg": "none", "typ": "JWT", "kid": key.kid}, claims_for(user), None),
        "alg-none-uppercase": hand_made({"alg": "NONE", "kid": key.kid}, claims_for(user), None),
        "hs256-signed-with-the-public-key": hand_made(
            {"alg": "HS256", "typ": "JWT", "kid": key.kid}, claims_for(user), public_pem(key)
        ),
        "hs256-kid-dev-null-empty-secret": hand_made(
            {"alg": "HS256", "kid": "../../../../../../../dev/null"}, claims_for(user), b""
        ),
        "unknown-kid": mint(key, header={"kid": f"not-a-key-{uuid.uuid4().hex}"}, sub=user),
        "kid-path-traversal": mint(key, header={"kid": f"../../{key.kid}"}, sub=user),
        "kid-dot-segments": mint(key, header={"kid": f"{key.kid}/../{key.kid}"}, sub=user),
        "kid-sql": mint(key, header={"kid": "x' OR '1'='1"}, sub=user),
        "kid-nul": mint(key, header={"kid": f"{key.kid}\x00"}, sub=user),
        "kid-url": mint(key, header={"kid": "https://attacker.example/jwks.json"}, sub=user),
        "wrong-issuer": mint(key, sub=user, iss="https://attacker.example"),
        "wrong-audience": mint(key, sub=user, aud="someone-else"),
        "no-audience": mint(key, sub=user, aud=None),
        "expired": mint(key, sub=user, iat=now - 3600, nbf=now - 3600, exp=now - 300),
        "not-yet-valid": mint(key, sub=user, iat=now + 600, nbf=now + 600, exp=now + 1200),
        "no-expiry": mint(key, sub=user, exp=None),
    }


ATTACKS = [
    "alg-none",
    "alg-none-uppercase",
    "hs256-signed-with-the-public-key",
    "hs256-kid-dev-null-empty-secret",
    "unknown-kid",
    "kid-path-traversal",
    "kid-dot-segments",
    "kid-sql",
    "kid-nul",
    "kid-url",
    "wrong-issuer",
    "wrong-audience",
    "no-audience",
    "expired",
    "not-yet-valid",
    "no-expiry",
]


@pytest.fixture(scope="module")
async def victim(edge):
    async with httpx.AsyncClient(base_url=edge.url, http2=True, verify=str(edge.ca), timeout=30) as client:
        return await sign_up(client)


@pytest.mark.parametrize("attack", ATTACKS)
async def test_a_bent_token_is_refused_by_the_edge_and_never_reaches_the_service(
    rest, identity_service, victim, attack
):
    token = _attack_tokens(await real_key(identity_service), victim["id"])[attack]
    calls_before = service_calls("marketplace", GET_PROFILE)
    response = await rest.get(f"/v1/workers/{victim['id']}", headers={"authorization": f"Bearer {token}"})
    assert_error_shape(response, 401, 16)
    assert service_calls("marketplace", GET_PROFILE) == calls_before, f"{attack} reached marketplace"


async def test_every_bent_token_is_unauthenticated_over_grpc_through_the_edge(edge_grpc, identity_service, victim):
    tokens = _attack_tokens(await real_key(identity_service), victim["id"])
    async with edge_grpc() as channel:
        stub = marketplace_pb2_grpc.MarketplaceServiceStub(channel)
        for attack, token in tokens.items():
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.GetWorkerProfile(
                    mp.GetWorkerProfileRequest(name=f"workers/{victim['id']}"),
                    metadata=(("authorization", f"Bearer {token}"),),
                    timeout=10,
                )
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED, (attack, caught.value.details())


@pytest.mark.parametrize("attack", ATTACKS)
async def test_a_bent_token_is_refused_by_the_services_called_directly(
    identity_service, marketplace_service, victim, attack
):
    token = _attack_tokens(await real_key(identity_service), victim["id"])[attack]
    metadata = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(marketplace_service.target) as channel:
        stub = marketplace_pb2_grpc.MarketplaceServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetWorkerProfile(mp.GetWorkerProfileRequest(name=f"workers/{victim['id']}"), metadata=metadata)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED, (attack, caught.value.details())
    async with grpc.aio.insecure_channel(identity_service.target) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.ListUsers(idp.ListUsersRequest(), metadata=metadata)  # the forged tokens claim admin
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED, (attack, caught.value.details())


async def test_the_same_real_key_with_honest_claims_passes(rest, identity_service, victim):
    """The control: the attacks above fail for what they bend, not because minting is broken."""
    token = mint(await real_key(identity_service), sub=victim["id"])
    response = await rest.get(f"/v1/workers/{victim['id']}", headers={"authorization": f"Bearer {token}"})
    assert response.status_code in (200, 404), response.text


async def test_a_refresh_token_is_not_an_access_token(rest, marketplace_service):
    worker = await sign_up(rest)
    refresh = worker["tokens"]["refreshToken"]
    response = await rest.get(f"/v1/workers/{worker['id']}", headers={"authorization": f"Bearer {refresh}"})
    assert_error_shape(response, 401, 16)
    async with grpc.aio.insecure_channel(marketplace_service.target) as channel:
        stub = marketplace_pb2_grpc.MarketplaceServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetWorkerProfile(
                mp.GetWorkerProfileRequest(name=f"workers/{worker['id']}"),
                metadata=(("authorization", f"Bearer {refresh}"),),
            )
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_an_access_token_is_not_a_refresh_token(rest):
    worker = await sign_up(rest)
    response = await rest.post("/v1/auth:refresh", json={"refreshToken": worker["tokens"]["accessToken"]})
    # Refused by the contract's length rule (400) or as an unknown refresh token (401): never new tokens.
    assert response.status_code in (400, 401), response.text
    assert_error_shape(response, response.status_code, {400: 3, 401: 16}[response.status_code])


async def test_a_replayed_refresh_token_revokes_its_whole_family(rest):
    worker = await sign_up(rest)
    first = worker["tokens"]["refreshToken"]
    rotated = await rest.post("/v1/auth:refresh", json={"refreshToken": first})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["tokens"]["refreshToken"]
    assert second != first
    # A thief replays the consumed token: refused, and the family (the rightful holder's too) ends.
    replay = await rest.post("/v1/auth:refresh", json={"refreshToken": first})
    assert_error_shape(replay, 401, 16)
    after = await rest.post("/v1/auth:refresh", json={"refreshToken": second})
    assert_error_shape(after, 401, 16)
    # Other sessions of the same user (another login) are a different family and live on.
    login = await rest.post("/v1/auth:login", json={"email": worker["email"], "password": "correct horse battery"})
    again = await rest.post("/v1/auth:refresh", json={"refreshToken": login.json()["tokens"]["refreshToken"]})
    assert again.status_code == 200, again.text


async def test_a_disabled_users_access_token_stops_working_at_once(rest, callers, marketplace_service):
    worker = await sign_up(rest)
    me = f"/v1/workers/{worker['id']}"
    assert (await rest.get(me, headers=worker["auth"])).status_code in (200, 404)
    admin = callers.mine["admin"]
    disabled = await rest.post(
        f"/v1/users/{worker['id']}:disable", json={"reason": "security test"}, headers=admin.headers
    )
    assert disabled.status_code == 200, disabled.text
    # Through the edge (whose JWT check is stateless) the service refuses the still-unexpired token ...
    assert_error_shape(await rest.get(me, headers=worker["auth"]), 401, 16)
    # ... and so does every service called directly.
    async with grpc.aio.insecure_channel(marketplace_service.target) as channel:
        stub = marketplace_pb2_grpc.MarketplaceServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetWorkerProfile(
                mp.GetWorkerProfileRequest(name=f"workers/{worker['id']}"),
                metadata=(("authorization", worker["auth"]["authorization"]),),
            )
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    # Its refresh token is dead too, and the password no longer logs in.
    refreshed = await rest.post("/v1/auth:refresh", json={"refreshToken": worker["tokens"]["refreshToken"]})
    assert refreshed.status_code in (401, 403), refreshed.text
    login = await rest.post("/v1/auth:login", json={"email": worker["email"], "password": "correct horse battery"})
    assert login.status_code in (401, 403), login.text
