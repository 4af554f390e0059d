"""Fixtures for the agent tests over real gRPC, PostgreSQL and Redis, with the real models.

One agent replica serves the whole session, with its data directory under
`.iworkz/agent` so the caches (corpus mean, ESCO label vectors, intent
examples) are built once and reused by later runs; a fresh clone builds them
on its first run. The replica trusts the sidecar's client-certificate header
(as behind its sidecar in the mesh), so a test can call as the mesh identity
`matching` the way the sidecar would vouch for it.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

import grpc
import pytest
from google.rpc import error_details_pb2
from google.type import money_pb2
from grpc_status import rpc_status

from iworkz.agent.v1 import agent_pb2_grpc
from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types

PASSWORD = "correct horse battery staple"


def unique_word(prefix: str = "za") -> str:
    return prefix + "".join(random.choices(string.ascii_lowercase, k=12))


def mesh_identity(service: str) -> tuple[tuple[str, str], ...]:
    """The header a sidecar adds after verifying a caller's mTLS certificate."""
    return (
        (
            "x-forwarded-client-cert",
            f"By=spiffe://iworkz.local/ns/iworkz/sa/agent;URI=spiffe://iworkz.local/ns/iworkz/sa/{service}",
        ),
    )


async def fails(code: grpc.StatusCode, call) -> grpc.aio.AioRpcError:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        assert error.code() == code, f"expected {code.name}, got {error.code().name}: {error.details()}"
        return error
    raise AssertionError(f"expected {code.name}, the call succeeded")


def bad_fields(error: grpc.aio.AioRpcError) -> list[str]:
    status = rpc_status.from_call(error)
    assert status is not None
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            return [v.field for v in bad.field_violations]
    raise AssertionError("no BadRequest detail")


@dataclass
class Person:
    user_id: str
    tokens: identity_pb2.TokenPair
    agent: Client
    market: Client
    org_id: str = ""

    @property
    def user(self) -> str:
        return f"users/{self.user_id}"

    @property
    def worker(self) -> str:
        return f"workers/{self.user_id}"


@dataclass
class AgentWorld:
    identity_target: str
    marketplace_target: str
    agent_target: str
    _clients: list[Client] = field(default_factory=list)

    def client(self, target: str, tokens: identity_pb2.TokenPair | None = None) -> Client:
        client = Client(target)
        if tokens:
            client.use_tokens(tokens)
        self._clients.append(client)
        return client

    def stub(self, client: Client) -> agent_pb2_grpc.AgentServiceStub:
        return agent_pb2_grpc.AgentServiceStub(client.channel)

    async def person(
        self,
        account_type: int = identity_pb2.ACCOUNT_TYPE_WORKER,
        display_name: str = "Nguyen Van An",
        organization: str = "",
    ) -> Person:
        account = self.client(self.identity_target)
        signed = await account.sign_up(
            email=f"{unique_word('user')}@example.com",
            password=PASSWORD,
            display_name=display_name,
            account_type=account_type,
            organization_display_name=organization,
        )
        return Person(
            signed.user.name.split("/")[1],
            signed.tokens,
            self.client(self.agent_target, signed.tokens),
            self.client(self.marketplace_target, signed.tokens),
            signed.organization.name.split("/")[1] if organization else "",
        )

    async def worker(self, **profile_fields) -> Person:
        person = await self.person()
        profile = mp.WorkerProfile(
            name=person.worker,
            display_name="Nguyen Van An",
            visa_status=types.VISA_STATUS_PERMANENT_RESIDENT,
            **profile_fields,
        )
        await person.market.marketplace.UpdateWorkerProfile(mp.UpdateWorkerProfileRequest(profile=profile))
        return person

    async def employer(self, organization: str = "Osaka Welding Works") -> Person:
        return await self.person(identity_pb2.ACCOUNT_TYPE_EMPLOYER, "Hiring Manager", organization)

    async def job(
        self,
        employer: Person,
        title: str,
        description: str,
        prefecture: str = "JP-27",
        required: tuple[tuple[str, str], ...] = (),
        preferred: tuple[tuple[str, str], ...] = (),
        **fields,
    ) -> mp.Job:
        """A published job of `employer`'s organisation."""
        parent = f"employers/{employer.org_id}"
        job = mp.Job(
            title=title,
            description=description,
            location=types.Location(prefecture=prefecture, city="Higashiosaka"),
            wage_min=money_pb2.Money(currency_code="JPY", units=1300),
            wage_max=money_pb2.Money(currency_code="JPY", units=1600),
            wage_period=types.WAGE_PERIOD_HOURLY,
            employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
            headcount=2,
            required_skills=[mp.Skill(taxonomy_id=u, label=label) for u, label in required],
            preferred_skills=[mp.Skill(taxonomy_id=u, label=label) for u, label in preferred],
            **fields,
        )
        created = (await employer.market.marketplace.CreateJob(mp.CreateJobRequest(parent=parent, job=job))).job
        return (await employer.market.marketplace.PublishJob(mp.PublishJobRequest(name=created.name))).job

    async def close(self) -> None:
        for client in self._clients:
            await client.close()

    unique_word = staticmethod(unique_word)
    fails = staticmethod(fails)
    bad_fields = staticmethod(bad_fields)
    mesh_identity = staticmethod(mesh_identity)


@pytest.fixture
async def world(identity_service, marketplace_service, agent_service):
    helper = AgentWorld(identity_service.target, marketplace_service.target, agent_service.target)
    yield helper
    await helper.close()
