"""Redis killed and restarted during a burst of events: every event reaches its consumer exactly once
in effect; the outbox keeps what Redis did not acknowledge; the inbox has no duplicate and no gap.

The relay and a consumer run against a redis-server of this test's own (`PrivateRedis`, AOF with
fsync always), which it SIGKILLs mid-burst and starts again; the events are written by real
transactions into a service schema's outbox, the consumer's effect is a row per event in an `inbox`
table without a unique key (a duplicate would show).
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from chaos_tools import LONG, PrivateRedis, report

from iworkz.identity.v1 import events_pb2
from services.runtime import outbox
from services.runtime.backoff import Backoff
from services.runtime.consumer import Consumer, ConsumerOptions
from services.runtime.db import Database
from services.runtime.migrations import RUNTIME_MIGRATIONS, migrate
from services.runtime.redisconn import RedisClient
from services.runtime.relay import OutboxRelay

EVENTS = 5000
OPTIONS = ConsumerOptions(
    block_seconds=0.05, retry_base_seconds=0.05, retry_max_seconds=0.5, claim_idle_seconds=2, claim_interval_seconds=0.5
)


@pytest.fixture
async def db(database_url):
    schema = f"chaos_{uuid.uuid4().hex[:8]}"
    await migrate(database_url, schema, [("runtime", RUNTIME_MIGRATIONS)])
    database = Database(database_url, schema)
    await database.open()
    async with database.connection() as conn:
        await conn.execute("CREATE TABLE inbox (seq int NOT NULL, event_id text NOT NULL)")
    yield database
    async with database.connection() as conn:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
    await database.close()


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


async def handler(tx, event) -> None:
    seq = int(event.payload(events_pb2.UserSignedUp).user.split("/")[1])
    await tx.conn.execute("INSERT INTO inbox (seq, event_id) VALUES (%s, %s)", (seq, event.id))


async def _count(db: Database, sql: str) -> int:
    async with db.connection() as conn:
        row = await (await conn.execute(sql)).fetchone()
    assert row is not None
    return int(row["n"])


async def test_redis_killed_mid_burst_every_event_once(db, private_redis):
    redis = RedisClient(private_redis.url, "chaos:")
    relay = OutboxRelay(db, redis, "svc", idle_seconds=0.02, backoff=Backoff(0.05, 0.5))
    consumers = [Consumer(db, redis, "inbox", ["svc"], handler, OPTIONS, member=f"m{i}") for i in range(2)]
    tasks = [asyncio.create_task(relay.run()), *[asyncio.create_task(c.run()) for c in consumers]]
    kill_at = EVENTS // 3
    down_seconds = 5.0 if LONG else 1.5
    state = {"down_with_unpublished": 0}

    async def emit(first: int, last: int) -> None:
        """One transaction per event, from 6 writers at once (a burst)."""

        async def writer(seqs: range) -> None:
            for seq in seqs:
                async with db.transaction() as conn:
                    await outbox.emit(conn, "svc", "user", str(seq), events_pb2.UserSignedUp(user=f"users/{seq}"))

        await asyncio.gather(*[writer(range(first + i, last, 6)) for i in range(6)])

    try:
        started = time.monotonic()
        await emit(0, kill_at)
        private_redis.kill()  # mid-burst: the relay and consumers lose Redis with work in flight
        await emit(kill_at, 2 * kill_at)  # the services keep writing; the outbox holds the events
        state["down_with_unpublished"] = await _count(db, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")
        await asyncio.sleep(down_seconds)
        private_redis.start()
        await emit(2 * kill_at, EVENTS)
        deadline = time.monotonic() + 300
        while await _count(db, "SELECT count(DISTINCT seq) AS n FROM inbox") < EVENTS:
            assert time.monotonic() < deadline, "not every event arrived"
            await asyncio.sleep(0.2)
        elapsed = time.monotonic() - started
        await asyncio.sleep(2 * OPTIONS.claim_interval_seconds)  # a late duplicate would land now
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await redis.close()

    rows = await _count(db, "SELECT count(*) AS n FROM inbox")
    distinct = await _count(db, "SELECT count(DISTINCT seq) AS n FROM inbox")
    gaps = await _count(
        db, f"SELECT count(*) AS n FROM generate_series(0, {EVENTS - 1}) s WHERE s NOT IN (SELECT seq FROM inbox)"
    )
    unpublished = await _count(db, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")
    assert state["down_with_unpublished"] > 0  # the outbox kept what Redis could not take
    assert (rows, distinct, gaps, unpublished) == (EVENTS, EVENTS, 0, 0)
    report(
        "Redis SIGKILLed and restarted mid-burst",
        events=EVENTS,
        applied=rows,
        duplicates=rows - distinct,
        gaps=gaps,
        outbox_waiting_while_down=state["down_with_unpublished"],
        redis_down_s=down_seconds,
        burst_to_last_effect_s=round(elapsed, 1),
    )
