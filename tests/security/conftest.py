"""Fixtures for the attack suites: the edge of gateway/tests in front of the in-process services,
callers of every role, and the real signing key (to forge tokens a leaked key could make).

The edge fixtures are gateway/tests' own (imported, not copied); the services are the root
conftest's. Helpers are in `attackers.py`.
"""

from __future__ import annotations

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "gateway" / "tests"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from attackers import Callers, make_callers  # noqa: E402
from edge_testing import grpc_credentials  # noqa: E402

import gateway.tests.conftest as edge_fixtures  # noqa: E402

# gateway/tests' edge in front of the in-process services, and its REST client.
edge_image = edge_fixtures.edge_image
edge = edge_fixtures.edge
rest = edge_fixtures.rest
upstreams_healthy = edge_fixtures.upstreams_healthy


@pytest.fixture(scope="session")
async def callers(edge, database_url, identity_service) -> Callers:
    """One signed-in caller of each role (and a second of each, whose resources are `other`)."""
    return await make_callers(edge, database_url, identity_service)


@pytest.fixture
def edge_grpc(edge):
    import grpc

    return lambda: grpc.aio.secure_channel(edge.target, grpc_credentials(edge))
