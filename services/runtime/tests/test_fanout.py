"""The live fan-out over a real Redis: batches arrive whole, in order, at each topic's subscribers."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from services.runtime import fanout
from services.runtime.fanout import Fanout
from services.runtime.redisconn import RedisClient


@pytest.fixture
async def live(redis_url):
    redis = RedisClient(redis_url, f"test:fanout:{uuid.uuid4().hex[:8]}:")
    hub = Fanout(redis, redis.key("live", "test"))
    task = asyncio.create_task(hub.run())
    await asyncio.wait_for(hub.ready.wait(), 10)
    yield hub
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await redis.close()


async def _drain(subscription: fanout.Subscription, count: int) -> list[object]:
    got: list[object] = []
    while len(got) < count:
        item = await subscription.get(5)
        assert item is not None, f"only {got} arrived"
        if item is not fanout.RESYNC:  # the listener's first connection resyncs everyone
            got.append(item)
    return got


async def test_a_batch_reaches_each_topics_subscribers_in_order(live):
    # Binary payloads, separators inside them included: lengths, not delimiters, split a batch.
    messages = [("alice", b"a1\x00\x01"), ("bob", b""), ("alice", b"a2"), ("bob", b"\x01b2"), ("carol", b"c")]
    async with live.subscribe("alice") as alice, live.subscribe("bob") as bob:
        await live.publish_many(messages)
        await live.publish_many([("alice", b"alone")])  # one message: the plain frame
        assert await _drain(alice, 3) == [b"a1\x00\x01", b"a2", b"alone"]
        assert await _drain(bob, 2) == [b"", b"\x01b2"]
        assert await bob.get(0.2) is None


def test_frames_round_trip_and_large_batches_split():
    assert fanout.unframe(fanout.frame("u-1", b"x\x00y")) == [("u-1", b"x\x00y")]
    messages = [(f"user-{i}", bytes([i % 256]) * 1000) for i in range(600)]
    frames = fanout.frame_many(messages)
    assert len(frames) > 1 and all(len(f) <= fanout.BATCH_MAX_BYTES for f in frames)
    assert [pair for f in frames for pair in fanout.unframe(f)] == messages
    with pytest.raises(ValueError):
        fanout.frame("\x01topic", b"")


async def test_a_wait_times_out_after_its_own_silence_not_an_earlier_waits():
    """One timer serves successive waits: a payload ends a wait early, and the next wait still gets
    its whole timeout before None (the timer armed for the first wait re-arms itself)."""
    subscription = fanout.Subscription("t", 10)
    loop = asyncio.get_running_loop()
    loop.call_later(0.05, subscription._offer, b"one")
    assert await subscription.get(0.3) == b"one"
    started = loop.time()
    assert await subscription.get(0.3) is None
    assert loop.time() - started >= 0.29
    loop.call_later(0.05, subscription._offer, b"two")
    assert await subscription.get(5) == b"two"
    subscription.close()
