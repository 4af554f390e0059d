"""Fixtures for the marketplace tests over real gRPC, PostgreSQL and Redis.

The services are session-scoped and share one database, so every test signs
up its own people and tags its jobs with a word no other test uses. People
sign up through identity and call marketplace with the SDK, as partners do.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from typing import Any

import grpc
import psycopg
import pytest
from google.rpc import error_details_pb2
from google.type import money_pb2
from grpc_status import rpc_status
from psycopg.rows import dict_row

from buf.validate import validate_pb2
from iworkz.auth.v1 import access_pb2
from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from iworkz.type.v1 import event_pb2
from iworkz.type.v1 import profile_types_pb2 as types
from services.cli import create_admin

PASSWORD = "correct horse battery staple"


def unique_word(prefix: str = "zq") -> str:
    """A letters-only word no other test uses (full-text search keeps it whole)."""
    return prefix + "".join(random.choices(string.ascii_lowercase, k=12))


def yen(units: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="JPY", units=units)


def _assign(message, name: str, value) -> None:
    if isinstance(value, (list, tuple)):
        message.ClearField(name)
        getattr(message, name).extend(value)  # fetched after the clear: the old container is detached
    elif hasattr(getattr(message, name), "CopyFrom"):
        getattr(message, name).CopyFrom(value)
    else:
        setattr(message, name, value)


async def fails(code: grpc.StatusCode, call) -> grpc.aio.AioRpcError:
    """Awaits `call`, asserts it fails with `code`, returns the error."""
    try:
        await call
    except grpc.aio.AioRpcError as error:
        assert error.code() == code, f"expected {code.name}, got {error.code().name}: {error.details()}"
        return error
    raise AssertionError(f"expected {code.name}, the call succeeded")


def bad_fields(error: grpc.aio.AioRpcError) -> list[tuple[str, str]]:
    """(field path, rule id) pairs from the google.rpc.BadRequest and buf.validate.Violations details."""
    status = rpc_status.from_call(error)
    assert status is not None, "the error carries no google.rpc.Status details"
    fields: list[str] = []
    rules: list[str] = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields = [v.field for v in bad.field_violations]
        elif detail.Is(validate_pb2.Violations.DESCRIPTOR):
            violations = validate_pb2.Violations()
            detail.Unpack(violations)
            rules = [v.rule_id for v in violations.violations]
    assert fields, "the error has no google.rpc.BadRequest detail"
    # The two details list the same violations in the same order.
    return list(zip(fields, rules + [""] * (len(fields) - len(rules)), strict=True))


@dataclass
class Person:
    """A signed-in caller: `client` talks to marketplace, `account` to identity, with the same tokens."""

    client: Client
    account: Client
    user_id: str = ""
    org_id: str = ""
    email: str = ""

    @property
    def api(self):
        return self.client.marketplace

    @property
    def worker(self) -> str:
        """`workers/{user}`."""
        return f"workers/{self.user_id}"

    @property
    def employer(self) -> str:
        """`employers/{organization}`."""
        return f"employers/{self.org_id}"


@dataclass
class Marketplace:
    """Makes people, jobs and profiles for a test; reads marketplace's rows."""

    identity_target: str
    target: str
    database_url: str
    _clients: list[Client] = field(default_factory=list)

    # --- people -----------------------------------------------------------------

    def _client(self, target: str) -> Client:
        client = Client(target)
        self._clients.append(client)
        return client

    def anonymous(self) -> Client:
        """A marketplace client without a token."""
        return self._client(self.target)

    async def _sign_up(self, account_type: int, display_name: str, organization: str = "") -> Person:
        email = f"{unique_word('user')}@example.com"
        account = self._client(self.identity_target)
        signed = await account.sign_up(
            email=email,
            password=PASSWORD,
            display_name=display_name,
            account_type=account_type,
            organization_display_name=organization,
        )
        person = Person(
            self._client(self.target),
            account,
            signed.user.name.split("/")[1],
            signed.organization.name.split("/")[1] if organization else "",
            email,
        )
        person.client.use_tokens(signed.tokens)
        return person

    async def worker(self, display_name: str = "Nguyen Van An") -> Person:
        return await self._sign_up(identity_pb2.ACCOUNT_TYPE_WORKER, display_name)

    async def employer(self, organization: str = "Osaka Welding Works") -> Person:
        return await self._sign_up(identity_pb2.ACCOUNT_TYPE_EMPLOYER, "Hiring Manager", organization)

    async def admin(self) -> Person:
        """A platform admin, made by the operator's `iworkz create-admin` code (sign-up never makes admins)."""
        email = f"{unique_word('admin')}@example.com"
        row = await create_admin(self.database_url, email, "Platform Admin", PASSWORD, actor="test")
        account = self._client(self.identity_target)
        person = Person(self._client(self.target), account, str(row.id), "", email)
        person.client.use_tokens((await account.login(email, PASSWORD)).tokens)
        return person

    async def partner(self, employer: Person, roles=(access_pb2.ROLE_EMPLOYER,)) -> Person:
        """A caller holding a token exchanged for a new API key of `employer`'s organisation."""
        created = await employer.account.identity.CreateApiKey(
            identity_pb2.CreateApiKeyRequest(
                parent=f"organizations/{employer.org_id}",
                api_key=identity_pb2.ApiKey(display_name="ATS integration", roles=list(roles)),
            )
        )
        account = self._client(self.identity_target)
        await account.login_with_api_key(created.secret)
        person = Person(self._client(self.target), account, created.api_key.name.rsplit("/", 1)[1], employer.org_id)
        person.client.use_tokens(identity_pb2.TokenPair(access_token=await account.access_token()))
        return person

    # --- profiles and jobs ----------------------------------------------------

    async def profile(self, person: Person, **fields) -> mp.WorkerProfile:
        """Creates (or replaces) `person`'s worker profile; unrestricted status by default."""
        profile = mp.WorkerProfile(
            name=person.worker, display_name="Nguyen Van An", visa_status=types.VISA_STATUS_PERMANENT_RESIDENT
        )
        for name, value in fields.items():
            _assign(profile, name, value)
        return (await person.api.UpdateWorkerProfile(mp.UpdateWorkerProfileRequest(profile=profile))).profile

    @staticmethod
    def job_message(tag: str = "", **fields) -> mp.Job:
        """A complete, valid, publishable job; `fields` override the defaults."""
        job = mp.Job(
            title=f"TIG welder {tag}".strip(),
            description="Stainless TIG welding for food machinery.",
            location=types.Location(prefecture="JP-27", city="Higashiosaka"),
            wage_min=yen(1400),
            wage_max=yen(1800),
            wage_period=types.WAGE_PERIOD_HOURLY,
            employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
            headcount=2,
        )
        for name, value in fields.items():
            _assign(job, name, value)
        return job

    async def job(self, employer: Person, tag: str = "", publish: bool = True, **fields) -> mp.Job:
        """A job of `employer`, published unless `publish=False`."""
        job = (
            await employer.api.CreateJob(
                mp.CreateJobRequest(parent=employer.employer, job=self.job_message(tag, **fields))
            )
        ).job
        if publish:
            job = (await employer.api.PublishJob(mp.PublishJobRequest(name=job.name))).job
        return job

    # --- rows ---------------------------------------------------------------------

    async def connect(self) -> psycopg.AsyncConnection[dict[str, Any]]:
        """A direct connection to marketplace's schema (tests read; a few tamper on purpose)."""
        return await psycopg.AsyncConnection.connect(
            self.database_url, autocommit=True, row_factory=dict_row, options="-c search_path=marketplace"
        )

    async def rows(self, sql: str, *params) -> list[dict]:
        async with await self.connect() as conn:
            return await (await conn.execute(sql, params)).fetchall()

    async def events(self, event_type: Any, aggregate_id: str) -> list[tuple[event_pb2.EventEnvelope, object]]:
        """(envelope, payload) of the outbox rows of one event type about one aggregate, oldest first."""
        found = []
        for row in await self.rows(
            "SELECT event_type, envelope FROM outbox WHERE event_type = %s AND aggregate_id = %s ORDER BY seq",
            event_type.DESCRIPTOR.full_name,
            aggregate_id,
        ):
            envelope = event_pb2.EventEnvelope.FromString(bytes(row["envelope"]))
            assert envelope.type == row["event_type"]
            payload = event_type()
            assert envelope.payload.Unpack(payload)
            found.append((envelope, payload))
        return found

    async def close(self) -> None:
        for client in self._clients:
            await client.close()

    # Test modules cannot import a conftest, so the helpers travel with the fixture.
    unique_word = staticmethod(unique_word)
    yen = staticmethod(yen)
    fails = staticmethod(fails)
    bad_fields = staticmethod(bad_fields)


@pytest.fixture
async def market(identity_service, marketplace_service, database_url):
    """A `Marketplace` for one test; closes every client it opened."""
    helper = Marketplace(identity_service.target, marketplace_service.target, database_url)
    yield helper
    await helper.close()
