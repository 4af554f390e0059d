"""Fixtures for matching's tests: two matching replicas, and a PostgreSQL with pgvector.

The machine's PostgreSQL 15 has no pgvector; `pgserver` ships PostgreSQL 16
with pgvector 0.6.2. The fixture uses the test server when it offers the
extension, else starts a pgserver of its own for the session.
"""

from __future__ import annotations

import pathlib
import tempfile
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from devstack.embedded import create_database, drop_database
from services.matching.tests.service_testing import World


@pytest.fixture(scope="session")
async def replicas(matching_settings, marketplace_service):
    """Two matching replicas over one database and Redis, fed by marketplace's events."""
    from services.matching.main import SPEC
    from services.runtime import server

    async with server.running(SPEC, matching_settings()) as first, server.running(SPEC, matching_settings()) as second:
        yield [first, second]


@pytest.fixture
async def world(identity_service, marketplace_service, replicas):
    w = World(identity_service.target, marketplace_service.target, [r.target for r in replicas])
    yield w
    for c in w.clients:
        await c.close()


def _has_vector(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone() is not None


@pytest.fixture(scope="session")
def pgvector_url(server_urls: tuple[str, str]) -> Iterator[str]:
    server, own = server_urls[0], None
    if not _has_vector(server):
        import pgserver

        # Not under pytest's 0700 temporary root: as root, pgserver runs PostgreSQL as its own user.
        directory = pathlib.Path(tempfile.mkdtemp(prefix="iworkz-pgvector-"))
        directory.chmod(0o755)
        own = pgserver.get_server(directory, cleanup_mode="delete")
        server = own.get_uri()
    name = f"iworkz_pgvector_{uuid.uuid4().hex[:8]}"
    url = create_database(server, name)
    yield url
    drop_database(server, name)
    if own is not None:
        own.cleanup()
