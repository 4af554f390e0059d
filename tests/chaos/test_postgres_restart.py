"""PostgreSQL restarted under writes: services report NOT_SERVING, answer UNAVAILABLE at once (not at
their deadline), recover by themselves, and lose nothing they acknowledged.

identity and marketplace run on an embedded PostgreSQL of this test's own
(`PrivatePostgres`), which it crashes (`pg_ctl -m immediate`) and starts again.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import grpc
import pytest
from chaos_tools import LONG, PrivatePostgres, p99, report
from google.type import money_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from devstack.embedded import create_database
from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types
from services.runtime import server

DEADLINE = 20.0  # each call's own deadline: an outage must be answered well before it
SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING


@pytest.fixture
def private_postgres(tmp_path):
    pg = PrivatePostgres(tmp_path / "pg")
    yield pg
    pg.close()


async def _health(target: str) -> int:
    async with grpc.aio.insecure_channel(target) as ch:
        try:
            reply = await health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        except grpc.aio.AioRpcError:
            return -1
    return reply.status


async def _until(predicate, what: str, seen=lambda: "", timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what} {seen()}"
        await asyncio.sleep(0.2)


def _job(title: str) -> mp.Job:
    return mp.Job(
        title=title,
        description="Night shift.",
        location=types.Location(prefecture="JP-13", city="Tokyo"),
        wage_min=money_pb2.Money(currency_code="JPY", units=1300),
        wage_max=money_pb2.Money(currency_code="JPY", units=1500),
        wage_period=types.WAGE_PERIOD_HOURLY,
        employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
        headcount=1,
    )


async def test_postgres_restart_unavailable_fast_recovers_and_loses_nothing(private_postgres, make_settings):
    from services.identity.main import SPEC as IDENTITY
    from services.marketplace.main import SPEC as MARKETPLACE

    url = create_database(private_postgres.url, "iworkz")
    async with (
        server.running(IDENTITY, make_settings("identity", DATABASE_URL=url)) as identity,
        server.running(MARKETPLACE, make_settings("marketplace", identity.target, DATABASE_URL=url)) as market,
        Client(identity.target) as account,
        Client(market.target, options=[("grpc.enable_retries", 0)]) as employer,
    ):
        signed = await account.sign_up(
            email=f"pg-{uuid.uuid4().hex[:8]}@example.com",
            password="correct horse battery staple",
            display_name="Night Manager",
            account_type=identity_pb2.ACCOUNT_TYPE_EMPLOYER,
            organization_display_name="Tokyo Logistics",
        )
        employer.use_tokens(signed.tokens)
        parent = "employers/" + signed.organization.name.split("/")[1]
        acknowledged: list[str] = []
        outcomes: dict[str, list[float]] = {}
        phase = {"now": "before"}
        stop = asyncio.Event()
        failed: list[tuple[float, float, str]] = []  # (started, ended, code) of each failed call
        moments: dict[str, float] = {}

        async def writer() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                started = time.monotonic()
                try:
                    reply = await employer.marketplace.CreateJob(
                        mp.CreateJobRequest(parent=parent, job=_job(f"Sorter {n}")), timeout=DEADLINE
                    )
                    acknowledged.append(reply.job.name)
                    code = "OK"
                except grpc.aio.AioRpcError as err:
                    code = err.code().name
                outcomes.setdefault(f"{phase['now']}:{code}", []).append(time.monotonic() - started)
                if code != "OK":
                    failed.append((started, time.monotonic(), code))
                await asyncio.sleep(0.02)

        task = asyncio.create_task(writer())
        try:
            await _until(lambda: _ok(outcomes, "before", 20), "writes before the crash")
            # pg_ctl in a thread: the services share this event loop and must keep serving meanwhile
            # (blocked for the seconds pg_ctl takes, calls in flight overran their deadlines).
            await asyncio.to_thread(private_postgres.crash)
            crashed = moments["crashed"] = time.monotonic()
            phase["now"] = "down"
            await _until(lambda: _is(market.target, NOT_SERVING), "marketplace NOT_SERVING")
            not_serving_after = time.monotonic() - crashed
            await _until(
                lambda: _count(outcomes, "down:UNAVAILABLE", 20),
                "UNAVAILABLE answers while down",
                lambda: {k: len(v) for k, v in outcomes.items()},
            )
            await asyncio.sleep(3 if not LONG else 15)
            moments["start"] = time.monotonic()
            await asyncio.to_thread(private_postgres.start)
            restarted = moments["started"] = time.monotonic()
            phase["now"] = "after"
            await _until(lambda: _is(market.target, SERVING), "marketplace SERVING again")
            serving_after = time.monotonic() - restarted
            await _until(lambda: _ok(outcomes, "after", 20), "writes succeed again")
        finally:
            stop.set()
            await task

        down_codes = {k.split(":")[1] for k in outcomes if k.startswith("down:")}
        # While the database is down the answer is UNAVAILABLE, never a hang until the deadline (and
        # never INTERNAL); a write in flight at the crash may also fail, but none is acknowledged and lost.
        assert "DEADLINE_EXCEEDED" not in down_codes and "INTERNAL" not in down_codes, {
            k: (len(v), max(v)) for k, v in outcomes.items()
        }
        slow = [(round(a - crashed, 2), round(b - crashed, 2), code) for a, b, code in failed if code != "UNAVAILABLE"]
        seen = {k: round(v - crashed, 2) for k, v in moments.items()}
        assert not any(k.endswith(("DEADLINE_EXCEEDED", "INTERNAL")) for k in outcomes), (outcomes.keys(), slow, seen)
        # Nothing acknowledged is lost: every job a CreateJob answered OK exists after the restart.
        titles = set()
        for name in acknowledged:
            titles.add((await employer.marketplace.GetJob(mp.GetJobRequest(name=name), timeout=DEADLINE)).job.name)
        assert titles == set(acknowledged)
        report(
            "PostgreSQL restarted (pg_ctl -m immediate)",
            acknowledged_writes=len(acknowledged),
            lost=0,
            not_serving_after_s=round(not_serving_after, 1),
            unavailable_answers=len(outcomes.get("down:UNAVAILABLE", [])),
            unavailable_p99_ms=p99(outcomes.get("down:UNAVAILABLE", [])),
            call_deadline_s=DEADLINE,
            serving_again_after_restart_s=round(serving_after, 1),
            codes={k: len(v) for k, v in sorted(outcomes.items())},
        )


async def _is(target: str, status: int) -> bool:
    return await _health(target) == status


async def _ok(outcomes, phase: str, n: int) -> bool:
    return len(outcomes.get(f"{phase}:OK", [])) >= n


async def _count(outcomes, key: str, n: int) -> bool:
    return len(outcomes.get(key, [])) >= n
