"""The SDK's Client has a stub for every service of the contracts, without a list to extend."""

from __future__ import annotations

import pytest

from iworkz.agent.v1 import agent_pb2_grpc
from iworkz.identity.v1 import identity_pb2_grpc
from iworkz.sdk import Client


async def test_every_generated_service_is_a_client_attribute():
    async with Client("127.0.0.1:1") as client:
        assert isinstance(client.identity, identity_pb2_grpc.IdentityServiceStub)
        assert isinstance(client.agent, agent_pb2_grpc.AgentServiceStub)
        assert client.agent is client.agent  # made once
        with pytest.raises(AttributeError, match="no service 'nonesuch'"):
            _ = client.nonesuch
