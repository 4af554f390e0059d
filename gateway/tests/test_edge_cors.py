"""CORS for the origins the topology names, and nothing for any other origin."""

from __future__ import annotations

import pytest

import topology

ALLOWED = topology.load().edge.cors_origins[0]
OTHER = "https://evil.example"


def preflight(origin: str, method: str = "POST", headers: str = "authorization,content-type") -> dict:
    return {"origin": origin, "access-control-request-method": method, "access-control-request-headers": headers}


@pytest.mark.parametrize("path", ["/v1/auth:login", "/iworkz.identity.v1.IdentityService/SignUp", "/v1/users"])
async def test_preflight_from_a_configured_origin_is_allowed(rest, path):
    response = await rest.options(path, headers=preflight(ALLOWED, headers="authorization,content-type,x-grpc-web"))
    assert response.status_code in (200, 204), response.text
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed_headers = response.headers["access-control-allow-headers"]
    assert {"authorization", "content-type", "x-grpc-web"} <= {h.strip() for h in allowed_headers.split(",")}


async def test_preflight_from_another_origin_is_refused(rest):
    response = await rest.options("/v1/auth:login", headers=preflight(OTHER))
    assert "access-control-allow-origin" not in response.headers


async def test_responses_carry_cors_headers_only_for_configured_origins(rest):
    allowed = await rest.get("/v1/jobs:search", headers={"origin": ALLOWED})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "grpc-status" in allowed.headers["access-control-expose-headers"]
    other = await rest.get("/v1/jobs:search", headers={"origin": OTHER})
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other.headers


async def test_errors_are_readable_by_the_web_app(rest):
    # A browser only hands the JSON error to the page when CORS allows it.
    response = await rest.get("/v1/users", headers={"origin": ALLOWED})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.json()["code"] == 16
