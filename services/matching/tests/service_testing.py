"""Helpers for matching's service tests: people, jobs and profiles made through marketplace's
RPCs as users would make them, and the matching replicas' stubs."""

from __future__ import annotations

import asyncio
import random
import string
import time

import grpc
from google.type import money_pb2

from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.matching.v1 import matching_pb2_grpc
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types

PASSWORD = "correct horse battery staple"
Code = grpc.StatusCode


def word(prefix: str = "m") -> str:
    return prefix + "".join(random.choices(string.ascii_lowercase, k=10))


class World:
    def __init__(self, identity: str, marketplace: str, matching: list[str]) -> None:
        self.identity, self.marketplace, self.matching = identity, marketplace, matching
        self.clients: list[Client] = []

    def client(self, target: str, tokens: identity_pb2.TokenPair | None = None) -> Client:
        client = Client(target)
        if tokens is not None:
            client.use_tokens(tokens)
        self.clients.append(client)
        return client

    async def sign_up(self, kind: int, organization: str = ""):
        signed = await self.client(self.identity).sign_up(
            email=f"{word('u')}@example.com",
            password=PASSWORD,
            display_name="Test Person",
            account_type=kind,
            organization_display_name=organization,
        )
        return signed

    def stub(self, tokens: identity_pb2.TokenPair, replica: int = 0) -> matching_pb2_grpc.MatchingServiceStub:
        return matching_pb2_grpc.MatchingServiceStub(self.client(self.matching[replica], tokens).channel)

    def market(self, tokens: identity_pb2.TokenPair) -> Client:
        return self.client(self.marketplace, tokens)


def yen(units: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="JPY", units=units)


async def eventually(check, timeout: float = 20.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = await check()
            if result:
                return result
        except grpc.aio.AioRpcError as error:
            if error.code() not in (Code.FAILED_PRECONDITION, Code.NOT_FOUND) or time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError("not visible in time")
        await asyncio.sleep(interval)


async def publish(market: Client, employer: str, **fields) -> mp.Job:
    base = dict(
        title="TIG welder",
        description="Welding steel frames in our Osaka factory.",
        location=types.Location(prefecture="JP-27", city="Osaka"),
        wage_min=yen(230_000),
        wage_max=yen(270_000),
        wage_period=types.WAGE_PERIOD_MONTHLY,
        employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
        headcount=2,
        hours_per_week=40,
        required_skills=[mp.Skill(taxonomy_id="esco:tig-welding", label="TIG welding")],
        eligible_ssw_fields=[types.SSW_FIELD_MANUFACTURING],
        manual_work=True,
    )
    base.update(fields)
    created = await market.marketplace.CreateJob(mp.CreateJobRequest(parent=employer, job=mp.Job(**base)))
    return (await market.marketplace.PublishJob(mp.PublishJobRequest(name=created.job.name))).job


async def profile(world: World, **fields):
    """A worker who signed up and saved a profile: (sign-up reply, `workers/{user}`)."""
    signed = await world.sign_up(identity_pb2.ACCOUNT_TYPE_WORKER)
    name = "workers/" + signed.user.name.split("/")[1]
    base = dict(
        name=name,
        display_name="Nguyen Van An",
        visa_status=types.VISA_STATUS_SSW_1,
        ssw_field=types.SSW_FIELD_MANUFACTURING,
        languages=[mp.LanguageSkill(language="ja", jlpt_level=types.JAPANESE_LEVEL_N3)],
        skills=[mp.Skill(taxonomy_id="esco:tig-welding", label="TIG welding", years=5)],
        location=types.Location(prefecture="JP-27", city="Osaka"),
        desired_wage=yen(250_000),
        desired_wage_period=types.WAGE_PERIOD_MONTHLY,
        discoverable=True,
    )
    base.update(fields)
    await world.market(signed.tokens).marketplace.UpdateWorkerProfile(
        mp.UpdateWorkerProfileRequest(profile=mp.WorkerProfile(**base))
    )
    return signed, name


async def employer(world: World, organization: str = "Osaka Welding Works"):
    """An employer's member: (sign-up reply, `employers/{organization}`, marketplace client)."""
    boss = await world.sign_up(identity_pb2.ACCOUNT_TYPE_EMPLOYER, organization)
    return boss, "employers/" + boss.user.organization.split("/")[-1], world.market(boss.tokens)
