"""The Redis client's connections are bounded: a burst of commands waits for the shared pool instead of
growing it, and long-blocking readers (stream reads, pub/sub) hold connections of their own."""

from __future__ import annotations

import asyncio
import time
import uuid

import grpc
import pytest

from services.runtime.fanout import Fanout
from services.runtime.interceptors import ErrorInterceptor
from services.runtime.redisconn import RedisClient


def _open(pool) -> int:
    return len(pool._in_use_connections) + len(pool._available_connections)


async def test_a_burst_of_commands_waits_for_the_capped_pool(redis_url):
    redis = RedisClient(redis_url, f"test:redisconn:{uuid.uuid4().hex[:8]}:", pool_size=3)
    try:
        key = redis.key("counter")
        await asyncio.gather(*(redis.client.incr(key) for _ in range(200)))
        assert int(await redis.client.get(key)) == 200  # every command ran: none was refused
        assert _open(redis.pool) <= 3
        await redis.client.delete(key)
    finally:
        await redis.close()


async def test_blocking_readers_do_not_hold_a_slot_of_the_pool(redis_url):
    redis = RedisClient(redis_url, f"test:redisconn:{uuid.uuid4().hex[:8]}:", pool_size=1)
    hub = Fanout(redis, redis.key("live", "test"))
    listener = asyncio.create_task(hub.run())
    stream = redis.key("events", "test")
    await redis.client.xgroup_create(stream, "g", id="$", mkstream=True)
    reader = redis.dedicated()
    blocked = asyncio.create_task(reader.xreadgroup("g", "m", {stream: ">"}, count=1, block=3000))
    try:
        await asyncio.wait_for(hub.ready.wait(), 10)
        await asyncio.sleep(0.2)  # the stream read is blocked in Redis now
        started = time.monotonic()
        assert await redis.client.ping()  # the one shared connection is free
        assert time.monotonic() - started < 1.0
        assert not blocked.done()
        assert _open(redis.pool) == 1
    finally:
        listener.cancel()
        blocked.cancel()
        await asyncio.gather(listener, blocked, return_exceptions=True)
        await redis.client.delete(stream)
        await redis.close()


class _Aborted(Exception):
    pass


class _Context:
    """What a servicer context's abort receives (the status the caller would see)."""

    def __init__(self) -> None:
        self.status: grpc.Status | None = None
        self.code_name = ""

    def code(self) -> None:
        return None

    async def abort_with_status(self, status: grpc.Status) -> None:
        self.status = status
        raise _Aborted

    async def abort(self, code: grpc.StatusCode, details: str) -> None:
        self.code_name = code.name
        raise _Aborted


async def test_a_call_that_finds_no_free_connection_is_unavailable_not_internal(redis_url):
    """The pool's wait runs out (every connection held): the caller is told to retry, UNAVAILABLE."""
    redis = RedisClient(redis_url, f"test:redisconn:{uuid.uuid4().hex[:8]}:", pool_size=1, wait_seconds=0.2)
    holder = asyncio.create_task(redis.client.blpop([redis.key("never")], timeout=3))
    try:
        await asyncio.sleep(0.2)  # the one pooled connection is blocked in Redis now

        async def rpc(request, ctx):
            return await redis.client.ping()

        ctx = _Context()
        with pytest.raises(_Aborted):
            await ErrorInterceptor().around("/iworkz.test.v1.Test/Ping", object(), ctx, rpc)
        assert ctx.status is not None and ctx.code_name == ""
        assert ctx.status.code == grpc.StatusCode.UNAVAILABLE

        async def broken(request, ctx):
            raise RuntimeError("a bug")

        ctx = _Context()
        with pytest.raises(_Aborted):
            await ErrorInterceptor().around("/iworkz.test.v1.Test/Ping", object(), ctx, broken)
        assert ctx.code_name == "INTERNAL"  # anything else is still INTERNAL
    finally:
        holder.cancel()
        await redis.close()
