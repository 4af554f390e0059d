"""Fixtures for the notifications tests over real gRPC, PostgreSQL, Redis and SMTP.

People sign up through identity and act through marketplace with the SDK, as
partners do; notifications learns about it only from their events. Every
test signs up its own people, so tests sharing the session's services never
see each other's notifications.
"""

from __future__ import annotations

import asyncio
import random
import string
import time
from dataclasses import dataclass, field

import grpc
import psycopg
import pytest
from google.type import money_pb2
from psycopg.rows import dict_row

from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.notifications.v1 import notifications_pb2 as pb
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types

PASSWORD = "correct horse battery staple"
WAIT_SECONDS = 60.0  # generous: the machine is shared; nothing asserts on speed


def unique_word(prefix: str = "zn") -> str:
    return prefix + "".join(random.choices(string.ascii_lowercase, k=12))


async def eventually(check, timeout: float = WAIT_SECONDS, what: str = "condition"):
    """Await `check()` until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        await asyncio.sleep(0.05)


class Stream:
    """A Subscribe call read in the background; notifications and heartbeats kept apart."""

    def __init__(self, call) -> None:
        self.call = call
        self.notifications: asyncio.Queue = asyncio.Queue()
        self.heartbeats: list[pb.Heartbeat] = []
        self.error: grpc.aio.AioRpcError | None = None
        self.ready = asyncio.Event()  # the first heartbeat: the replay is over, live from here
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for item in self.call:
                if item.HasField("heartbeat"):
                    self.heartbeats.append(item.heartbeat)
                    self.ready.set()
                else:
                    await self.notifications.put(item.notification)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.CANCELLED:
                self.error = error
        finally:
            self.ready.set()

    async def started(self) -> Stream:
        await asyncio.wait_for(self.ready.wait(), WAIT_SECONDS)
        if self.error:
            raise self.error
        return self

    async def next(self, timeout: float = WAIT_SECONDS) -> pb.Notification:
        try:
            return await asyncio.wait_for(self.notifications.get(), timeout)
        except TimeoutError:
            raise AssertionError(f"no notification within {timeout} s (error: {self.error})") from None

    async def take(self, n: int) -> list[pb.Notification]:
        return [await self.next() for _ in range(n)]

    def received_now(self) -> list[pb.Notification]:
        items = []
        while not self.notifications.empty():
            items.append(self.notifications.get_nowait())
        return items

    async def close(self) -> None:
        self.call.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


@dataclass
class Person:
    user_id: str
    email: str
    account: Client  # identity
    market: Client  # marketplace
    inbox: Client  # notifications
    org_id: str = ""
    tokens: identity_pb2.TokenPair | None = None

    @property
    def user(self) -> str:
        return f"users/{self.user_id}"

    @property
    def api(self):
        return self.inbox.notifications


@dataclass
class Platform:
    """Makes people, jobs and applications for one test; opens and reads their streams."""

    identity_target: str
    marketplace_target: str
    notifications_target: str
    database_url: str
    _clients: list[Client] = field(default_factory=list)
    _streams: list[Stream] = field(default_factory=list)

    def client(self, target: str) -> Client:
        client = Client(target)
        self._clients.append(client)
        return client

    async def _sign_up(self, account_type: int, display_name: str, locale: str, organization: str = "") -> Person:
        email = f"{unique_word('user')}@example.com"
        account = self.client(self.identity_target)
        signed = await account.sign_up(
            email=email,
            password=PASSWORD,
            display_name=display_name,
            account_type=account_type,
            organization_display_name=organization,
            locale=locale,
        )
        person = Person(
            signed.user.name.split("/")[1],
            email,
            account,
            self.client(self.marketplace_target),
            self.client(self.notifications_target),
            signed.organization.name.split("/")[1] if organization else "",
            signed.tokens,
        )
        person.market.use_tokens(signed.tokens)
        person.inbox.use_tokens(signed.tokens)
        # Wait until notifications knows them (their language and email come with the sign-up event).
        await eventually(
            lambda: self.rows("SELECT 1 FROM recipients WHERE user_id = %s", person.user_id),
            what="the sign-up reaching notifications",
        )
        return person

    async def worker(self, display_name: str = "Nguyen Van An", locale: str = "en") -> Person:
        person = await self._sign_up(identity_pb2.ACCOUNT_TYPE_WORKER, display_name, locale)
        await person.market.marketplace.UpdateWorkerProfile(
            mp.UpdateWorkerProfileRequest(
                profile=mp.WorkerProfile(
                    name=f"workers/{person.user_id}",
                    display_name=display_name,
                    visa_status=types.VISA_STATUS_PERMANENT_RESIDENT,
                )
            )
        )
        return person

    async def employer(self, locale: str = "en") -> Person:
        return await self._sign_up(
            identity_pb2.ACCOUNT_TYPE_EMPLOYER, "Hiring Manager", locale, organization="Osaka Welding Works"
        )

    async def job(self, employer: Person, title: str = "") -> mp.Job:
        job = (
            await employer.market.marketplace.CreateJob(
                mp.CreateJobRequest(
                    parent=f"employers/{employer.org_id}",
                    job=mp.Job(
                        title=title or f"TIG welder {unique_word()}",
                        description="Stainless TIG welding.",
                        location=types.Location(prefecture="JP-27", city="Higashiosaka"),
                        wage_min=money_pb2.Money(currency_code="JPY", units=1400),
                        wage_max=money_pb2.Money(currency_code="JPY", units=1800),
                        wage_period=types.WAGE_PERIOD_HOURLY,
                        employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
                        headcount=2,
                    ),
                )
            )
        ).job
        return (await employer.market.marketplace.PublishJob(mp.PublishJobRequest(name=job.name))).job

    async def apply(self, worker: Person, job: mp.Job) -> mp.Application:
        return (
            await worker.market.marketplace.CreateApplication(mp.CreateApplicationRequest(parent=job.name))
        ).application

    async def move(self, employer: Person, application: mp.Application, *statuses: int) -> None:
        for status in statuses:
            await employer.market.marketplace.UpdateApplicationStatus(
                mp.UpdateApplicationStatusRequest(name=application.name, status=status)
            )

    async def subscribe(
        self, person: Person, last_event_id: str = "", target: str = "", metadata: tuple = ()
    ) -> Stream:
        """An open stream for `person`, ready (its replay done) when returned."""
        client = person.inbox
        if target:
            client = self.client(target)
            client.use_tokens(person.tokens)
        stream = Stream(
            client.notifications.Subscribe(
                pb.SubscribeRequest(parent=person.user, last_event_id=last_event_id), metadata=metadata or None
            )
        )
        self._streams.append(stream)
        return await stream.started()

    async def inbox_size(self, person: Person) -> int:
        rows = await self.rows("SELECT count(*) AS n FROM notifications WHERE user_id = %s", person.user_id)
        return rows[0]["n"]

    async def rows(self, sql: str, *params) -> list[dict]:
        async with await psycopg.AsyncConnection.connect(
            self.database_url, autocommit=True, row_factory=dict_row, options="-c search_path=notifications"
        ) as conn:
            return await (await conn.execute(sql, params)).fetchall()

    # Test modules cannot import a conftest, so the helpers travel with the fixture.
    eventually = staticmethod(eventually)

    async def close(self) -> None:
        for stream in self._streams:
            await stream.close()
        for client in self._clients:
            await client.close()


@pytest.fixture
async def platform(identity_service, marketplace_service, notifications_service, database_url):
    helper = Platform(identity_service.target, marketplace_service.target, notifications_service.target, database_url)
    yield helper
    await helper.close()
