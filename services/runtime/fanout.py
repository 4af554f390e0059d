"""Live fan-out across replicas: publish once, deliver to every local subscriber of a topic.

Server-streaming RPCs ("tell me when something happens to X") must work on
any replica, whichever replica saw the change. A writer publishes
`(topic, payload)` on one Redis pub/sub channel; every replica's `Fanout`
listens on that channel over one connection and hands the payload to the
local subscribers of the topic (e.g. a user id).

Pub/sub is fire-and-forget: a message published while a replica's listener
is reconnecting, or one too many for a slow subscriber's queue, is dropped.
So the live path is only the fast path; the service's database stays the
source of truth, and a subscriber that receives `RESYNC` (after a reconnect
or an overflow) must re-read what it may have missed from there.

`publish_many` sends a batch as one pub/sub message (`frame_many`: a marker
byte, then length-prefixed topic and payload pairs), so a consumer's batch of
deliveries costs Redis and every listener one message, not one per delivery;
a single message keeps the plain `topic NUL payload` frame. Order within a
batch is kept.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import struct
from collections.abc import AsyncIterator

from services.runtime.backoff import Retry
from services.runtime.cancellation import raise_if_cancelled
from services.runtime.redisconn import RedisClient

log = logging.getLogger(__name__)

# Handed to a subscriber instead of a payload when messages may have been lost.
RESYNC = object()
_SEPARATOR = b"\x00"
_BATCH = b"\x01"  # first byte of a batch message (a topic never starts with it)
_LENGTHS = struct.Struct(">II")  # topic and payload lengths before each pair of a batch
# A batch message stays well below Redis' limits and a listener's read buffer.
BATCH_MAX_BYTES = 256 * 1024


def frame(topic: str, payload: bytes) -> bytes:
    """The pub/sub message for `payload` addressed to `topic`'s subscribers."""
    if topic.startswith(_BATCH.decode()):
        raise ValueError("a fan-out topic cannot start with \\x01")
    return topic.encode() + _SEPARATOR + payload


def frame_many(messages: list[tuple[str, bytes]]) -> list[bytes]:
    """Pub/sub messages carrying `messages` in order: one batch message per BATCH_MAX_BYTES."""
    frames: list[bytes] = []
    parts: list[bytes] = [_BATCH]
    size = 1
    for topic, payload in messages:
        encoded = topic.encode()
        if size > 1 and size + _LENGTHS.size + len(encoded) + len(payload) > BATCH_MAX_BYTES:
            frames.append(b"".join(parts))
            parts, size = [_BATCH], 1
        parts += [_LENGTHS.pack(len(encoded), len(payload)), encoded, payload]
        size += _LENGTHS.size + len(encoded) + len(payload)
    if size > 1:
        frames.append(b"".join(parts))
    return frames


def unframe(data: bytes) -> list[tuple[str, bytes]]:
    """The (topic, payload) pairs of a pub/sub message (`frame` or `frame_many`)."""
    if not data.startswith(_BATCH):
        raw_topic, _, payload = data.partition(_SEPARATOR)
        return [(raw_topic.decode(), payload)]
    pairs: list[tuple[str, bytes]] = []
    offset, end = 1, len(data)
    while offset < end:
        topic_length, payload_length = _LENGTHS.unpack_from(data, offset)
        offset += _LENGTHS.size
        topic = data[offset : offset + topic_length].decode()
        offset += topic_length
        pairs.append((topic, data[offset : offset + payload_length]))
        offset += payload_length
    return pairs


class Subscription:
    """A local subscriber's queue of payloads for one topic."""

    def __init__(self, topic: str, size: int) -> None:
        self.topic = topic
        self._items: collections.deque[object] = collections.deque()
        self._size = size
        self._overflowed = False
        # The future a waiting `get` sleeps on, woken by `_offer`: one future per wait where
        # `asyncio.wait_for(queue.get())` made a task, a timeout scope and a queue getter (with a
        # stream per user, most deliveries find the queue empty and wait).
        self._waiter: asyncio.Future[None] | None = None
        # The silence timeout: one timer that outlives the waits it covers. A wait moves the deadline;
        # the timer, when it fires early, re-arms itself for the deadline, so a busy stream does not
        # start and cancel a timer per payload.
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        # The loop, looked up once: asyncio.get_running_loop() makes a getpid() system call each time.
        self._loop: asyncio.AbstractEventLoop | None = None

    def _offer(self, item: object) -> None:
        if self._overflowed:
            return
        if 0 < self._size <= len(self._items):
            # Drop what does not fit and tell the subscriber to re-read from the source of truth.
            self._overflowed = True
        else:
            self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self, timeout: float) -> object:
        """The next payload, `RESYNC`, or None after `timeout` seconds of silence."""
        if not self._items:
            if self._overflowed:
                self._overflowed = False
                return RESYNC
            loop = self._loop
            if loop is None:
                loop = self._loop = asyncio.get_running_loop()
            self._deadline = loop.time() + timeout
            if self._timer is None or self._timer.when() > self._deadline:
                if self._timer is not None:
                    self._timer.cancel()
                self._timer = loop.call_at(self._deadline, self._on_timer)
            waiter = self._waiter = loop.create_future()
            try:
                await waiter
            finally:
                self._waiter = None
            if not self._items:
                return None
        return self._items.popleft()

    def _on_timer(self) -> None:
        self._timer = None
        waiter = self._waiter
        if waiter is None or waiter.done():
            return  # nobody waits: the next wait arms a timer again
        assert self._loop is not None  # set by the wait
        # A millisecond's slack: timers fire to the loop clock's resolution, maybe a hair early.
        if self._loop.time() + 0.001 >= self._deadline:
            waiter.set_result(None)  # silence for the whole timeout
        else:
            self._timer = self._loop.call_at(self._deadline, self._on_timer)

    def close(self) -> None:
        """Stop the timer (the subscription is over)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class Fanout:
    """One pub/sub listener per process and the local subscriptions it feeds."""

    def __init__(self, redis: RedisClient, channel: str, queue_size: int = 1000) -> None:
        self.redis = redis
        self.channel = channel
        self.queue_size = queue_size
        self._topics: dict[str, set[Subscription]] = {}
        self.ready = asyncio.Event()

    # --- writers -----------------------------------------------------------------

    async def publish_many(self, messages: list[tuple[str, bytes]]) -> None:
        """Publish several messages in one round trip, batched into as few pub/sub messages as fit."""
        if not messages:
            return
        if len(messages) == 1:
            await self.redis.client.publish(self.channel, frame(*messages[0]))
            return
        frames = frame_many(messages)
        if len(frames) == 1:
            await self.redis.client.publish(self.channel, frames[0])
            return
        pipe = self.redis.client.pipeline(transaction=False)
        for data in frames:
            pipe.publish(self.channel, data)
        await pipe.execute()

    # --- readers -----------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str, ready_timeout: float = 5.0) -> AsyncIterator[Subscription]:
        """A subscription to `topic` for the duration of a block (e.g. one RPC).

        Waits for the listener to be connected, so that a subscriber that then
        reads the source of truth misses nothing published after that read.
        """
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.ready.wait(), ready_timeout)
        subscription = Subscription(topic, self.queue_size)
        self._topics.setdefault(topic, set()).add(subscription)
        try:
            yield subscription
        finally:
            subscription.close()
            subscribers = self._topics.get(topic)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._topics[topic]

    def _dispatch(self, data: bytes) -> None:
        for topic, payload in unframe(data):
            for subscription in self._topics.get(topic, ()):
                subscription._offer(payload)

    def _resync_all(self) -> None:
        for subscribers in self._topics.values():
            for subscription in subscribers:
                subscription._offer(RESYNC)

    async def run(self) -> None:
        """Listen until cancelled, reconnecting with backoff (a background task)."""
        retry = Retry()
        # A subscribed connection is held for as long as the listener runs: one of its own, outside
        # the pool that ordinary commands share.
        listener = self.redis.dedicated()
        while True:
            raise_if_cancelled()
            pubsub = listener.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                # Whatever was published while we were not listening is lost to us.
                self._resync_all()
                self.ready.set()
                retry.succeeded()
                while True:
                    raise_if_cancelled()  # a swallowed cancel is noticed within a second
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message["type"] == "message":
                        self._dispatch(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                self.ready.clear()
                wait = retry.failed()
                log.warning(
                    "live fan-out lost its Redis connection; reconnecting",
                    exc_info=True,
                    extra={"retry_in_seconds": wait},
                )
                await asyncio.sleep(wait)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
