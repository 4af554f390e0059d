"""Limits at the edge: oversized bodies, unknown JSON fields, slow clients.

(Per-caller rate limits with 429 and Retry-After are in gateway/tests/test_edge_limits.py.)
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import uuid

import grpc
import pytest
from edge_testing import assert_error_shape, grpc_credentials, service_calls, sign_up

import topology as topology_module
from iworkz.identity.v1 import identity_pb2 as idp
from iworkz.identity.v1 import identity_pb2_grpc

LOGOUT = "/iworkz.identity.v1.IdentityService/Logout"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"refreshToken": "abc", "x-unknown": 42}, "x-unknown"),
        ({"refreshToken": "abc", "refresh_token_typo": "x"}, "refresh_token_typo"),
        ({"refreshToken": "abc", "nested": {"a": 1}}, "nested"),
        ({"refreshToken": "abc", "x\\u0041": [1, {"b": "}"}]}, "x\\u0041"),
    ],
    ids=["hyphenated", "misspelt", "object", "escaped"],
)
async def test_unknown_json_fields_are_rejected_with_400_and_reach_no_service(rest, body, field):
    before = service_calls("identity", LOGOUT)
    response = await rest.post("/v1/auth:logout", json=body)
    error = assert_error_shape(response, 400, 3)
    assert field in error["message"]
    violations = [d for d in error["details"] if d["@type"].endswith("google.rpc.BadRequest")]
    assert violations and violations[0]["fieldViolations"][0]["field"] == field, error
    assert service_calls("identity", LOGOUT) == before


async def test_an_unknown_field_deep_in_a_body_is_named_by_its_path(rest):
    """A body bound to one field (`job`) of the request: the path starts there, through nested messages
    and lists; the same body without it passes the check (and reaches the service)."""
    employer = await sign_up(rest, "EMPLOYER")
    org = employer["organization"]["name"].split("/")[1]
    job = {
        "title": "Line cook",
        "description": "Kitchen.",
        "location": {"prefecture": "JP-13", "city": "Tokyo", "bogus": True},
        "wageMin": {"currencyCode": "JPY", "units": "1200"},
        "wageMax": {"currencyCode": "JPY", "units": "1500"},
        "wagePeriod": "WAGE_PERIOD_HOURLY",
        "employmentType": "EMPLOYMENT_TYPE_FULL_TIME",
        "headcount": 1,
    }
    path = f"/v1/employers/{org}/jobs"
    response = await rest.post(path, json=job, headers=employer["auth"])
    error = assert_error_shape(response, 400, 3)
    assert error["details"][0]["fieldViolations"][0]["field"] == "job.location.bogus", error
    del job["location"]["bogus"]
    job["wage_period"] = job.pop("wagePeriod")  # proto field names are accepted too, as by proto3 JSON
    response = await rest.post(path, json=job, headers=employer["auth"])
    assert response.status_code == 200, response.text


async def test_known_fields_still_pass(rest):
    worker = await sign_up(rest)
    response = await rest.post("/v1/auth:logout", json={"refreshToken": worker["tokens"]["refreshToken"]})
    assert response.status_code == 200, response.text


async def test_an_oversized_rest_body_is_413_before_any_service(rest):
    limit = topology_module.load().edge.max_request_bytes
    before = service_calls("identity", LOGOUT)
    response = await rest.post(
        "/v1/auth:logout",
        content=b'{"refreshToken": "' + b"a" * (limit + 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert_error_shape(response, 413, 8)
    assert service_calls("identity", LOGOUT) == before


async def test_an_oversized_grpc_message_is_resource_exhausted(edge):
    limit = topology_module.load().edge.max_request_bytes
    async with grpc.aio.secure_channel(
        edge.target, grpc_credentials(edge), options=[("grpc.max_send_message_length", 8 * limit)]
    ) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Logout(idp.LogoutRequest(refresh_token="a" * (2 * limit)), timeout=30)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, caught.value.details()


def _slow_client_cut_after(host: str, port: int, ca: str, limit: float) -> float:
    """Open TLS, send half a request's headers, then nothing: seconds until the edge hangs up."""
    context = ssl.create_default_context(cafile=ca)
    context.set_alpn_protocols(["http/1.1"])
    with socket.create_connection((host, port), timeout=limit) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(f"POST /v1/auth:login HTTP/1.1\r\nHost: localhost\r\nx-slow: {uuid.uuid4()}\r\n".encode())
            started = time.monotonic()
            tls.settimeout(limit)
            try:
                while tls.recv(4096):
                    pass
            except TimeoutError:
                return float("inf")
            except (ConnectionError, ssl.SSLError):
                pass
            return time.monotonic() - started


async def test_a_client_that_never_finishes_its_headers_is_cut(edge):
    host, port = edge.target.rsplit(":", 1)
    # The edge allows 10 s for a request's headers; a generous bound for a loaded machine.
    waited = await asyncio.to_thread(_slow_client_cut_after, host, int(port), str(edge.ca), 60.0)
    assert waited != float("inf"), "the edge kept a stalled client for a minute"
