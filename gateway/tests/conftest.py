"""Fixtures for the edge tests: a real Envoy in front of the in-process services.

The services run in-process on the test session's event loop (root
conftest), so everything here that waits (starting Envoy) runs in a thread,
and tests talk to the edge with async clients only. Helpers are in
`edge_testing.py`.
"""

from __future__ import annotations

import pathlib
import time

import httpx
import pytest
from edge_testing import ROOT, relaxed_topology, start_edge, stop_edge, wait_upstreams_healthy
from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError


@pytest.fixture(scope="session")
def edge_image(tmp_path_factory) -> pathlib.Path:
    """A private copy of the descriptor image: `make proto` elsewhere must not change it mid-run."""
    copy = tmp_path_factory.mktemp("image") / "iworkz.binpb"
    for _ in range(50):  # someone's `make proto` may be rewriting it right now
        data = (ROOT / "build" / "iworkz.binpb").read_bytes()
        try:
            descriptor_pb2.FileDescriptorSet.FromString(data)
            break
        except DecodeError:
            time.sleep(0.2)
    copy.write_bytes(data)
    return copy


@pytest.fixture(scope="session")
async def edge(
    identity_service,
    marketplace_service,
    notifications_service,
    credentials_service,
    agent_service,
    voice_service,
    matching_service,
    edge_image,
    tmp_path_factory,
):
    """The edge in front of the in-process services (plain upstreams, no mesh)."""
    upstreams = {
        "identity": [("127.0.0.1", identity_service.port)],
        "marketplace": [("127.0.0.1", marketplace_service.port)],
        "notifications": [("127.0.0.1", notifications_service.port)],
        "credentials": [("127.0.0.1", credentials_service.port)],
        "agent": [("127.0.0.1", agent_service.port)],
        "voice": [("127.0.0.1", voice_service.port)],
        "matching": [("127.0.0.1", matching_service.port)],
    }
    running = await start_edge(relaxed_topology(), edge_image, upstreams, tmp_path_factory.mktemp("edge"))
    yield running
    await stop_edge(running)
    assert running.process.poll() is not None


@pytest.fixture(autouse=True)
async def upstreams_healthy():
    await wait_upstreams_healthy()


@pytest.fixture
async def rest(edge):
    """An HTTP/2 client of the edge that trusts its development CA."""
    async with httpx.AsyncClient(base_url=edge.url, http2=True, verify=str(edge.ca), timeout=30) as client:
        yield client
