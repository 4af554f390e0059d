"""Fixtures for the credential service over real gRPC, PostgreSQL, Redis and an EVM chain.

The chain is eth-tester (py-evm) in this process, reached through web3 like
any node; anchoring runs every half second.
"""

from __future__ import annotations

import pytest

from services.credentials.tests.credentials_testing import CHAIN_URL, Platform


@pytest.fixture(scope="session")
def credentials_settings(make_settings, identity_service):
    def make(**env):
        values = {
            "CREDENTIALS_PUBLIC_URL": "https://credentials.test",
            "CREDENTIALS_CHAIN_URL": CHAIN_URL,
            "CREDENTIALS_ANCHOR_INTERVAL_SECONDS": "0.5",
            "CREDENTIALS_ANCHOR_BATCH_SIZE": "64",
            "CREDENTIALS_HEARTBEAT_SECONDS": "1",
            **env,
        }
        return make_settings("credentials", identity_service.target, **values)

    return make


@pytest.fixture(scope="session")
async def credentials_service(credentials_settings):
    from services.credentials.main import SPEC
    from services.runtime import server

    async with server.running(SPEC, credentials_settings()) as running:
        yield running


@pytest.fixture
async def platform(credentials_service, identity_service, database_url):
    made = Platform(identity_service.target, credentials_service.target, database_url)
    yield made
    await made.close()
