"""The outbox relay against real PostgreSQL and Redis."""

from __future__ import annotations

import socket
import uuid

import pytest
from redis import exceptions as redis_exceptions

from iworkz.identity.v1 import events_pb2
from iworkz.type.v1 import event_pb2
from services.runtime import outbox
from services.runtime.db import Database
from services.runtime.migrations import RUNTIME_MIGRATIONS, migrate
from services.runtime.redisconn import RedisClient
from services.runtime.relay import OutboxRelay


@pytest.fixture
async def schema_db(database_url):
    schema = f"relay_{uuid.uuid4().hex[:8]}"
    await migrate(database_url, schema, [("runtime", RUNTIME_MIGRATIONS)])
    db = Database(database_url, schema)
    await db.open()
    yield db
    async with db.connection() as conn:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
    await db.close()


@pytest.fixture
async def redis(redis_url):
    client = RedisClient(redis_url, f"test:relay:{uuid.uuid4().hex[:8]}:")
    yield client
    await client.client.delete(client.key("events", "svc"))
    await client.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def emit(db: Database, user: str, rollback: bool = False) -> None:
    class Rollback(Exception):
        pass

    try:
        async with db.transaction() as conn:
            await outbox.emit(conn, "svc", "user", user, events_pb2.UserSignedUp(user=f"users/{user}"))
            if rollback:
                raise Rollback
    except Rollback:
        pass


async def stream_users(redis: RedisClient) -> list[str]:
    entries = await redis.client.xrange(redis.key("events", "svc"))
    users = []
    for _, fields in entries:
        env = event_pb2.EventEnvelope.FromString(fields[b"envelope"])
        event = events_pb2.UserSignedUp()
        assert env.payload.Unpack(event)
        assert fields[b"id"].decode() == env.id and fields[b"type"].decode() == env.type
        users.append(event.user)
    return users


async def test_publishes_committed_events_in_order_and_never_rolled_back_ones(schema_db, redis):
    await emit(schema_db, "a")
    await emit(schema_db, "ghost", rollback=True)
    await emit(schema_db, "b")
    relay = OutboxRelay(schema_db, redis, "svc")
    assert await relay.publish_once() == 2
    assert await relay.publish_once() == 0
    assert await stream_users(redis) == ["users/a", "users/b"]


async def test_many_events_in_one_statement_keep_their_order_and_their_transaction(schema_db, redis):
    users = [f"u{i}" for i in range(50)]
    async with schema_db.transaction() as conn:
        written = await outbox.emit_many(
            conn, "svc", [("user", u, events_pb2.UserSignedUp(user=f"users/{u}")) for u in users]
        )
    assert [e.aggregate_id for e in written] == users
    try:
        async with schema_db.transaction() as conn:
            await outbox.emit_many(conn, "svc", [("user", "ghost", events_pb2.UserSignedUp(user="users/ghost"))])
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    relay = OutboxRelay(schema_db, redis, "svc")
    published = 0
    while count := await relay.publish_once():
        published += count
    assert published == 50
    assert await stream_users(redis) == [f"users/{u}" for u in users]


async def test_redis_down_keeps_events_until_it_is_back(schema_db, redis):
    await emit(schema_db, "c")
    down = RedisClient(f"redis://127.0.0.1:{closed_port()}/0", redis.prefix)
    with pytest.raises(redis_exceptions.ConnectionError):
        await OutboxRelay(schema_db, down, "svc").publish_once()
    await down.close()
    async with schema_db.connection() as conn:
        pending = await (await conn.execute("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")).fetchone()
    assert pending["n"] == 1
    await emit(schema_db, "d")
    assert await OutboxRelay(schema_db, redis, "svc").publish_once() == 2
    assert await stream_users(redis) == ["users/c", "users/d"]


async def test_one_relay_at_a_time_per_schema(schema_db, redis):
    await emit(schema_db, "e")
    relay = OutboxRelay(schema_db, redis, "svc")
    async with schema_db.transaction() as conn:
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"iworkz.relay.{schema_db.schema}",))
        assert await relay.publish_once() == 0  # another relay holds the lock
    assert await relay.publish_once() == 1
