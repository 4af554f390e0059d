"""Rate limits per route and per caller (JWT subject, else client address), from the topology."""

from __future__ import annotations

import grpc
import httpx
import pytest
from edge_testing import (
    assert_error_shape,
    grpc_credentials,
    relaxed_topology,
    sign_up,
    start_edge,
    stop_edge,
    with_method_limits,
)

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from topology import RateLimit

SEARCH = "/iworkz.marketplace.v1.MarketplaceService/SearchJobs"
TINY = 3


@pytest.fixture(scope="module")
async def limited_edge(identity_service, marketplace_service, edge_image, tmp_path_factory):
    """An edge whose SearchJobs allows each caller 3 calls a minute."""
    topology = relaxed_topology()
    limits = {**topology.edge.rate_limits.methods, SEARCH: RateLimit(tokens=TINY, per_seconds=60)}
    topology = with_method_limits(topology, limits)
    upstreams = {
        "identity": [("127.0.0.1", identity_service.port)],
        "marketplace": [("127.0.0.1", marketplace_service.port)],
    }
    running = await start_edge(topology, edge_image, upstreams, tmp_path_factory.mktemp("limited-edge"))
    yield running
    await stop_edge(running)


@pytest.fixture
async def client(limited_edge):
    async with httpx.AsyncClient(base_url=limited_edge.url, http2=True, verify=str(limited_edge.ca)) as c:
        yield c


async def test_rest_caller_over_the_limit_gets_json_429_and_others_do_not(client):
    alice, bob = await sign_up(client), await sign_up(client)
    for _ in range(TINY):
        ok = await client.get("/v1/jobs:search", headers=alice["auth"])
        assert ok.status_code == 200, ok.text
        assert ok.headers["x-ratelimit-limit"] == str(TINY)
        assert "retry-after" not in ok.headers
    limited = await client.get("/v1/jobs:search", headers=alice["auth"])
    assert_error_shape(limited, 429, 8)
    assert limited.headers["retry-after"] == "60"  # the bucket refills whole each minute
    assert limited.headers["x-ratelimit-remaining"] == "0"
    # Per caller: Bob has his own bucket.
    assert (await client.get("/v1/jobs:search", headers=bob["auth"])).status_code == 200
    # Per route: Alice may still call other methods.
    other = await client.get(f"/v1/workers/{alice['id']}", headers=alice["auth"])
    assert other.status_code != 429


async def test_anonymous_callers_are_limited_by_address_and_cannot_claim_a_subject(client):
    statuses = [(await client.get("/v1/jobs:search")).status_code for _ in range(TINY + 1)]
    assert statuses == [200] * TINY + [429]
    spoofed = await client.get("/v1/jobs:search", headers={"x-iworkz-subject": "someone-new"})
    assert_error_shape(spoofed, 429, 8)


async def test_grpc_caller_over_the_limit_gets_resource_exhausted(client, limited_edge):
    carol = await sign_up(client)
    async with Client(
        limited_edge.target, token=carol["tokens"]["accessToken"], credentials=grpc_credentials(limited_edge)
    ) as sdk:
        for _ in range(TINY):
            await sdk.marketplace.SearchJobs(mp.SearchJobsRequest())
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await sdk.marketplace.SearchJobs(mp.SearchJobsRequest())
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_grpc_web_caller_over_the_limit_gets_resource_exhausted_not_unavailable(client):
    """The rate limit's reply is plain HTTP 429; gRPC-web's encoder alone would make it UNAVAILABLE, a
    status clients retry at once."""
    dave = await sign_up(client)
    headers = {
        "content-type": "application/grpc-web+proto",
        "x-grpc-web": "1",
        "authorization": f"Bearer {dave['tokens']['accessToken']}",
    }
    statuses = []
    for _ in range(TINY + 1):
        response = await client.post(SEARCH, content=b"\x00\x00\x00\x00\x00", headers=headers)
        statuses.append(response.headers.get("grpc-status"))
    assert statuses[-1] == str(grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]), statuses
    assert response.status_code == 200 and "retry-after" in response.headers


async def test_limits_are_counted_in_envoy_stats(limited_edge, client):
    stats = limited_edge.stats("rl_marketplace_SearchJobs")
    assert stats.get("rl_marketplace_SearchJobs.http_local_rate_limit.rate_limited", 0) >= 1, stats
