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


def test_a_creating_request_gets_a_request_id_once_and_keeps_the_callers():
    from iworkz.marketplace.v1 import marketplace_pb2 as mp
    from iworkz.sdk import with_request_id

    request = mp.CreateJobRequest(parent="employers/x")
    filled = with_request_id(request)
    assert len(filled.request_id) == 36 and request.request_id == ""  # a copy; the caller's is untouched
    assert with_request_id(filled).request_id == filled.request_id
    given = mp.CreateJobRequest(request_id="5b1c8f6e-2f0a-4d4e-9a51-0b9f3f1e2d11")
    assert with_request_id(given) is given
    read = mp.GetJobRequest(name="employers/x/jobs/y")
    assert with_request_id(read) is read


def test_only_writes_with_request_ids_are_retried():
    from iworkz.sdk import SERVICE_CONFIG

    retried = {
        n["method"] for c in SERVICE_CONFIG["methodConfig"] if "retryPolicy" in c and "timeout" in c for n in c["name"]
    }
    assert {"CreateJob", "CreateApplication", "IssueCredential", "RecordFeedback", "GetJob"} <= retried
    assert not {"UpdateJob", "PublishJob", "Login"} & retried
