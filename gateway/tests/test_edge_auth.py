"""Authentication at the edge: default-deny, public RPCs from the contracts, bad tokens stopped early."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from edge_testing import assert_error_shape, grpc_credentials, service_calls, sign_up

import contracts

SERVED = (
    "iworkz.identity.v1.IdentityService",
    "iworkz.marketplace.v1.MarketplaceService",
    "iworkz.credentials.v1.CredentialService",
    "iworkz.matching.v1.MatchingService",
)
SERVICE_OF = {
    "iworkz.identity.v1.IdentityService": "identity",
    "iworkz.marketplace.v1.MarketplaceService": "marketplace",
    "iworkz.credentials.v1.CredentialService": "credentials",
    "iworkz.matching.v1.MatchingService": "matching",
}
SAMPLE_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def rpcs(edge_image):
    return [r for r in contracts.load(edge_image).rpcs_of(SERVED) if r.bindings]


def sample_path(template: str) -> str:
    """A concrete URL path for a binding: each `*` of a variable becomes an id."""
    import re

    def fill(match):
        return match[2].replace("**", SAMPLE_ID).replace("*", SAMPLE_ID) if match[2] else SAMPLE_ID

    return re.sub(r"\{([^}=]+)(?:=([^}]*))?\}", fill, template)


def forged_token(kid: str, **claims) -> str:
    """A well-formed ES256 token with a real key id, signed by a key identity never had."""
    now = int(time.time())
    payload = {
        "iss": "iworkz-identity",
        "aud": "iworkz",
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        "roles": ["admin"],
        **claims,
    }
    return jwt.encode(payload, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": kid})


def unsigned_token() -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(time.time())
    return (
        part({"alg": "none", "typ": "JWT"})
        + "."
        + part({"iss": "iworkz-identity", "aud": "iworkz", "sub": "x", "exp": now + 600, "roles": ["admin"]})
        + "."
    )


async def test_every_protected_rpc_needs_a_token_at_the_edge_and_public_ones_do_not(rest, rpcs):
    calls_before = {r.grpc_path: service_calls(SERVICE_OF[r.service], r.grpc_path) for r in rpcs}
    for rpc in rpcs:
        for binding in rpc.bindings:
            body = {} if binding.body else None
            response = await rest.request(binding.method, sample_path(binding.template), json=body)
            where = f"{binding.method} {binding.template} ({rpc.name})"
            if rpc.public:
                assert response.status_code != 401, f"{where} is public but was refused: {response.text}"
            else:
                assert response.status_code == 401, f"{where}: {response.status_code} {response.text}"
                assert_error_shape(response, 401, 16)
                assert "Jwt" in response.json()["message"], where
    for rpc in rpcs:
        if not rpc.public:
            assert service_calls(SERVICE_OF[rpc.service], rpc.grpc_path) == calls_before[rpc.grpc_path], (
                f"{rpc.grpc_path} reached the service without a token"
            )


async def test_every_protected_rpc_needs_a_token_over_grpc_too(edge, rpcs):
    channel = grpc.aio.secure_channel(edge.target, grpc_credentials(edge))
    try:
        for rpc in rpcs:
            if rpc.public:
                continue
            call = channel.unary_unary(rpc.grpc_path, request_serializer=lambda b: b, response_deserializer=lambda b: b)
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await call(b"", timeout=10)
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED, rpc.grpc_path
            assert "Jwt" in caught.value.details(), rpc.grpc_path
    finally:
        await channel.close()


@pytest.mark.parametrize(
    "variant",
    [
        lambda p: p + "/",
        lambda p: p.replace("/v1/", "//v1//"),
        lambda p: p.replace("/v1/", "/v1/./"),
        lambda p: "/v1/%" + format(ord(p[4]), "02x") + p[5:],
        lambda p: p.replace("/v1/", "/x/../v1/"),
    ],
    ids=["trailing-slash", "double-slash", "dot-segment", "percent-encoded", "dot-dot"],
)
async def test_path_tricks_do_not_reach_a_protected_rpc(rest, rpcs, variant):
    before = {r.grpc_path: service_calls(SERVICE_OF[r.service], r.grpc_path) for r in rpcs if not r.public}
    for rpc in rpcs:
        if rpc.public:
            continue
        for binding in rpc.bindings:
            response = await rest.request(
                binding.method, variant(sample_path(binding.template)), json={} if binding.body else None
            )
            assert response.status_code in (400, 401, 404), (binding.template, response.status_code, response.text)
    for path, count in before.items():
        assert service_calls(SERVICE_OF[path.split("/")[1]], path) == count, f"{path} was reached"


async def test_public_rpc_works_without_a_token(rest):
    response = await rest.get("/v1/jobs:search", params={"pageSize": 1})
    assert response.status_code == 200
    assert "jobs" in response.json()


async def test_no_token_on_a_protected_route_is_json_401(rest):
    response = await rest.get("/v1/users")
    assert_error_shape(response, 401, 16)
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("kind", ["forged-signature", "wrong-issuer", "unsigned", "garbage", "not-bearer"])
async def test_bad_tokens_are_refused_by_the_edge_and_never_reach_the_service(rest, edge, kind):
    worker = await sign_up(rest)
    kid = (await rest.get("/.well-known/jwks.json")).json()["keys"][0]["kid"]
    header = {
        "forged-signature": f"Bearer {forged_token(kid, sub=worker['id'])}",
        "wrong-issuer": f"Bearer {forged_token(kid, iss='someone-else')}",
        "unsigned": f"Bearer {unsigned_token()}",
        "garbage": "Bearer not.a.token",
        "not-bearer": f"Basic {base64.b64encode(b'user:pass').decode()}",
    }[kind]
    method = "/iworkz.marketplace.v1.MarketplaceService/GetWorkerProfile"
    stats_before = edge.stats("cluster.svc_marketplace.upstream_rq_total")
    denied_before = edge.stats("http.edge.jwt_authn.").get("http.edge.jwt_authn.denied", 0)
    calls_before = service_calls("marketplace", method)

    response = await rest.get(f"/v1/workers/{worker['id']}", headers={"authorization": header})
    assert_error_shape(response, 401, 16)

    assert edge.stats("http.edge.jwt_authn.")["http.edge.jwt_authn.denied"] == denied_before + 1
    assert edge.stats("cluster.svc_marketplace.upstream_rq_total") == stats_before
    assert service_calls("marketplace", method) == calls_before
    # The same worker's real token passes the edge and the service.
    ok = await rest.get(f"/v1/workers/{worker['id']}", headers=worker["auth"])
    assert ok.status_code in (200, 404), ok.text
    # (A service counts an aborted call just after the status is sent: allow it a moment.)
    for _ in range(50):
        if service_calls("marketplace", method) == calls_before + 1:
            break
        await asyncio.sleep(0.05)
    assert service_calls("marketplace", method) == calls_before + 1, (ok.status_code, ok.text)


async def test_a_bad_token_is_refused_even_on_a_public_rpc(rest):
    # Like the services: a token that is sent must be valid (public only means "none is needed").
    response = await rest.get("/v1/jobs:search", headers={"authorization": "Bearer not.a.token"})
    assert_error_shape(response, 401, 16)


async def test_token_is_forwarded_and_the_service_still_checks_roles_and_ownership(rest):
    worker = await sign_up(rest)
    other = await sign_up(rest)
    admin_only = await rest.get("/v1/users", headers=worker["auth"])
    assert_error_shape(admin_only, 403, 7)
    not_mine = await rest.get(f"/v1/workers/{other['id']}", headers=worker["auth"])
    assert_error_shape(not_mine, 403, 7)


async def test_clients_cannot_forge_the_subject_header(rest, edge):
    # x-iworkz-subject is what per-caller rate limits key on; only jwt_authn may set it.
    response = await rest.get("/v1/users", headers={"x-iworkz-subject": "someone"})
    assert_error_shape(response, 401, 16)
