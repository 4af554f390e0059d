"""Fixtures for the credential service tests; the service itself (real gRPC, PostgreSQL,
Redis and an in-process EVM chain) is the root conftest's `credentials_service`."""

from __future__ import annotations

import pytest

from services.credentials.tests.credentials_testing import Platform


@pytest.fixture
async def platform(credentials_service, identity_service, database_url):
    made = Platform(identity_service.target, credentials_service.target, database_url)
    yield made
    await made.close()
