"""How the edge tests run edges and call them: start an edge, sign up, check error shapes."""

from __future__ import annotations

import asyncio
import pathlib
import uuid

import grpc
import httpx
from prometheus_client import REGISTRY

import topology as topology_module
from devstack import envoy_runner as edge_module
from topology import RateLimit, Topology

ROOT = pathlib.Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


def relaxed_topology(topology=None):
    """The topology with the sign-up/login limits raised: every test client is 127.0.0.1,
    so with the real limits the tests would throttle each other (test_edge_limits tests them)."""
    topology = topology or topology_module.load()
    limits = {m: RateLimit(tokens=10_000, per_seconds=60) for m in topology.edge.rate_limits.methods}
    return with_method_limits(topology, limits)


def with_method_limits(topology: Topology, limits: dict[str, RateLimit]) -> Topology:
    """The topology with the edge's per-method rate limits replaced."""
    edge = topology.edge
    rate_limits = edge.rate_limits.model_copy(update={"methods": limits})
    return topology.model_copy(update={"edge": edge.model_copy(update={"rate_limits": rate_limits})})


# Edges started by the tests, with the clusters expected never to be healthy.
RUNNING: dict[int, tuple[edge_module.RunningEdge, tuple[str, ...]]] = {}


async def start_edge(topology, image, upstreams, state_dir, *, never_healthy: tuple[str, ...] = ()):
    """Render and start an edge on free ports, in a thread (the services share this event loop)."""
    running = await asyncio.to_thread(edge_module.start, topology, image, upstreams, state_dir, port=0, admin_port=0)
    try:
        await asyncio.to_thread(running.wait_healthy, 60, never_healthy)
    except BaseException:
        await asyncio.to_thread(running.stop)
        raise
    RUNNING[running.pid] = (running, never_healthy)
    return running


async def stop_edge(running: edge_module.RunningEdge) -> None:
    RUNNING.pop(running.pid, None)
    await asyncio.to_thread(running.stop)


async def wait_upstreams_healthy() -> None:
    """Before each test: the in-process services only answer health checks while this event
    loop runs, so after a synchronous test Envoy may rightly think them down for a moment."""
    for running, never_healthy in list(RUNNING.values()):
        if running.process.poll() is None:
            await asyncio.to_thread(running.wait_healthy, 60, never_healthy)


def grpc_credentials(edge) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(pathlib.Path(edge.ca).read_bytes())


def assert_error_shape(response: httpx.Response, status: int, code: int) -> dict:
    """Every error a browser sees: JSON `{"code", "message", "details"}` with the status of the code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], list)
    return body


async def sign_up(rest: httpx.AsyncClient, kind: str = "WORKER", **extra) -> dict:
    """Sign up over REST; returns the response JSON plus `auth` headers and `id` (the user id)."""
    tag = uuid.uuid4().hex[:10]
    body = {
        "email": f"{kind.lower()}-{tag}@example.com",
        "password": PASSWORD,
        "displayName": f"{kind.title()} {tag}",
        "accountType": f"ACCOUNT_TYPE_{kind}",
        **extra,
    }
    if kind in ("EMPLOYER", "ISSUER") and "organizationDisplayName" not in extra:
        body["organizationDisplayName"] = f"Org {tag}"
    response = await rest.post("/v1/auth:signUp", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    data["auth"] = {"authorization": f"Bearer {data['tokens']['accessToken']}"}
    data["id"] = data["user"]["name"].split("/")[1]
    data["email"] = body["email"]
    return data


def service_calls(service: str, method: str) -> float:
    """How many calls of `method` the in-process service has handled (its Prometheus counter)."""
    total = 0.0
    for metric in REGISTRY.collect():
        if metric.name != "iworkz_grpc_server_handled":
            continue
        for sample in metric.samples:
            if (
                sample.name.endswith("_total")
                and sample.labels.get("service") == service
                and sample.labels.get("method") == method
            ):
                total += sample.value
    return total
