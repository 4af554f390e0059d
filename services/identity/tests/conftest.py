"""Fixtures of identity's service tests: SDK clients to the session's identity service."""

from __future__ import annotations

import uuid

import pytest

from iworkz.sdk import Client
from services.cli import create_admin

PASSWORD = "correct horse battery staple"


@pytest.fixture
async def connect(identity_service):
    """Opens SDK clients to the identity service and closes them after the test."""
    opened: list[Client] = []

    def make(token: str = "") -> Client:
        client = Client(identity_service.target, token=token)
        opened.append(client)
        return client

    yield make
    for client in opened:
        await client.close()


@pytest.fixture
async def admin(connect, database_url) -> Client:
    """A client signed in as a fresh platform admin."""
    email = f"admin-{uuid.uuid4().hex[:12]}@example.com"
    await create_admin(database_url, email, "Platform Admin", PASSWORD)  # what `iworkz create-admin` runs
    client = connect()
    await client.login(email, PASSWORD)
    return client
