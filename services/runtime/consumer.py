"""Event consumers: how a service reacts to other services' domain events.

A consumer reads services' event streams (`<prefix>events:<service>`, written
by the outbox relay) in a Redis consumer group named after the consumer, so
the replicas of a service share the work and each event goes to one of them.

- **At least once.** An entry is acknowledged (XACK) only after its effect
  committed. A replica that dies leaves its entries pending; once they have
  been idle for `claim_idle_seconds` a live replica claims them (XAUTOCLAIM).
- **Effect once.** The handler runs inside one PostgreSQL transaction that
  also inserts `(consumer, event_id)` into the service's `processed_events`.
  An event seen again — redelivered after a crash between COMMIT and XACK,
  claimed from a slow replica, or published twice by the relay — finds its
  row and is skipped. A crash before COMMIT rolls the effect back with it.
- **Retries with backoff.** A failed entry stays pending and is tried again
  after `retry_base_seconds * 2**(attempt-1)` (capped, with jitter). The
  attempt number is the entry's delivery count in the group (XPENDING), so
  it survives restarts and moves with the entry when another replica claims
  it.
- **Dead letters.** After `max_attempts` failed attempts — or at once, for a
  `PermanentError` — the entry is added to the dead-letter stream with the
  error and acknowledged, in one MULTI/EXEC (see `deadletters`).
- **Retention.** `processed_events` rows live `processed_retention_days`;
  an entry older than that (less an hour) is dead-lettered, never handled,
  because its row may be gone (see `retention`).
- **Batches.** Up to `batch` entries are handled in one transaction. If the
  batch fails, its entries are handled one by one so that a poison event does
  not hold back the others.

Order: one consumer handles its entries in stream order, but across replicas,
retries and replays events may be handled out of order: handlers must not
depend on it.

A consumer runs as a `ServiceSpec` background task (`consumer_task`).
"""

from __future__ import annotations

import asyncio
import builtins
import datetime
import heapq
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from google.protobuf.message import DecodeError, Message
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import Counter, Gauge
from redis.exceptions import ResponseError

from iworkz.type.v1 import event_pb2
from services.runtime import context, deadletters, telemetry
from services.runtime.backoff import Backoff, Retry
from services.runtime.cancellation import raise_if_cancelled
from services.runtime.db import Connection, Database
from services.runtime.redisconn import RedisClient
from services.runtime.relay import stream_name
from services.runtime.retention import too_old
from services.runtime.settings import EventSettings, Settings

log = logging.getLogger(__name__)
_tracer = trace.get_tracer(__name__)
_propagator = TraceContextTextMapPropagator()

EVENTS = Counter(
    "iworkz_events_consumed_total", "Event stream entries by consumer and outcome", ["consumer", "outcome"]
)  # handled, duplicate, retry, dead
# How far a consumer group is behind on a stream, measured at every claim round: entries not yet
# handled (never delivered, or delivered and not acknowledged) and the age of the oldest of them.
LAG_ENTRIES = Gauge(
    "iworkz_events_consumer_lag_entries", "Stream entries the group has not handled yet", ["consumer", "stream"]
)
LAG_SECONDS = Gauge(
    "iworkz_events_consumer_lag_seconds",
    "Age of the oldest stream entry the group has not handled yet (0: caught up)",
    ["consumer", "stream"],
)

M = TypeVar("M", bound=Message)


class PermanentError(Exception):
    """Raised by a handler for an event that can never be handled: dead-letter it without retrying."""


@dataclass(frozen=True)
class Event:
    """A domain event as a handler sees it."""

    stream: str
    entry_id: str
    envelope: event_pb2.EventEnvelope
    attempt: int  # 1 on the first delivery

    @property
    def id(self) -> str:
        return str(self.envelope.id)

    @property
    def type(self) -> str:
        return str(self.envelope.type)

    def payload(self, message_class: builtins.type[M]) -> M:
        """The event unpacked as `message_class`; PermanentError if it is another type."""
        message: M = message_class()
        if not self.envelope.payload.Unpack(message):
            raise PermanentError(
                f"payload is {self.envelope.payload.TypeName()}, not {message_class.DESCRIPTOR.full_name}"
            )
        return message


class Transaction:
    """What a handler works in: the open connection, and actions for before and after the commit.

    A transaction may carry a batch of events. A handler can do its work per
    event, or collect it in `state` and do it once for the batch in a
    `before_commit` action (fewer round trips to PostgreSQL).
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Scratch space shared by the handler's calls within this transaction.
        self.state: dict[str, Any] = {}
        self._before: list[Callable[[], Awaitable[None]]] = []
        self._after: list[Callable[[], Awaitable[None]]] = []

    def before_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run `action` in the transaction after every event of the batch was handled."""
        self._before.append(action)

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run `action` once the transaction committed (best effort: a crash may skip it)."""
        self._after.append(action)


Handler = Callable[[Transaction, Event], Awaitable[None]]


class ConsumerOptions(EventSettings):
    """How a consumer reads, retries and claims: the service's `<SERVICE>_EVENTS_*` settings
    (`runtime.settings.EventSettings`, validated at start) and where a new group starts."""

    # "0" handles the whole retained stream, "$" only new events.
    start_id: str = "0"

    @classmethod
    def from_settings(cls, settings: Settings, **defaults: Any) -> ConsumerOptions:
        """The service's options: variables it set override `defaults`, which override the built-in ones."""
        given = {name: getattr(settings.events, name) for name in settings.events.model_fields_set}
        return cls(**{**defaults, **given})

    def retry_delay(self, attempt: int) -> float:
        """Seconds before attempt `attempt + 1`: exponential with jitter, below the claim idle time."""
        cap = min(self.retry_max_seconds, self.claim_idle_seconds / 2)
        return Backoff(self.retry_base_seconds, cap, jitter=0.2).delay(attempt)


@dataclass
class _Entry:
    stream: str
    entry_id: str
    fields: dict[bytes, bytes] | None
    attempt: int
    envelope: event_pb2.EventEnvelope | None = None
    event_id: str = ""


@dataclass(order=True)
class _Retry:
    due: float
    stream: str = field(compare=False)
    entry_id: str = field(compare=False)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Consumer:
    """One replica's member of the consumer group `name` on the `sources`' event streams."""

    def __init__(
        self,
        db: Database,
        redis: RedisClient,
        name: str,
        sources: list[str],
        handler: Handler,
        options: ConsumerOptions | None = None,
        member: str = "",
    ) -> None:
        self.db = db
        self.redis = redis
        self.group = name
        self.streams = [stream_name(redis, source) for source in sources]
        self.handler = handler
        self.options = options or ConsumerOptions()
        self.member = member or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._retries: list[_Retry] = []
        self._next_claim = 0.0
        self._groups_ready = False
        self._retention = datetime.timedelta(days=self.options.processed_retention_days)
        self._spans = telemetry.spans_recorded()
        self._reader: Any = None  # the dedicated connection of the blocking read, opened on first use

    # --- set-up ----------------------------------------------------------------

    async def ensure_groups(self) -> None:
        """Create the consumer group on every source stream (and the stream) if missing."""
        for stream in self.streams:
            try:
                await self.redis.client.xgroup_create(stream, self.group, id=self.options.start_id, mkstream=True)
            except ResponseError as err:
                if "BUSYGROUP" not in str(err):
                    raise
        self._groups_ready = True

    # --- the loop --------------------------------------------------------------

    async def run(self) -> None:
        """Consume until cancelled; rides out Redis and PostgreSQL outages with backoff."""
        retry = Retry()
        while True:
            raise_if_cancelled()
            try:
                if not self._groups_ready:
                    await self.ensure_groups()
                await self.step()
                retry.succeeded()
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis may have restarted without its data (groups gone): recreate them.
                self._groups_ready = False
                wait = retry.failed()
                log.warning(
                    "event consumer could not read; retrying",
                    exc_info=True,
                    extra={"consumer": self.group, "retry_in_seconds": wait},
                )
                await asyncio.sleep(wait)

    async def step(self) -> int:
        """One round: due retries, claims from dead replicas, then new entries. Returns entries seen."""
        seen = 0
        now = time.monotonic()
        due: list[_Retry] = []
        while self._retries and self._retries[0].due <= now:
            due.append(heapq.heappop(self._retries))
        if due:
            seen += await self._retry(due)
        if now >= self._next_claim:
            self._next_claim = now + self.options.claim_interval_seconds
            seen += await self.claim()
        wait = self.options.block_seconds
        if self._retries:
            wait = min(wait, self._retries[0].due - time.monotonic())
        wait = min(wait, self._next_claim - time.monotonic())
        # The blocking read waits on a connection of its own, never holding one that RPCs need.
        if self._reader is None:
            self._reader = self.redis.dedicated()
        response = await self._reader.xreadgroup(
            self.group,
            self.member,
            {stream: ">" for stream in self.streams},
            count=self.options.batch,
            block=max(1, int(wait * 1000)),
        )
        entries = [
            _Entry(_text(stream), _text(entry_id), fields, 1)
            for stream, items in response or []
            for entry_id, fields in items
        ]
        if entries:
            await self._handle(entries)
        return seen + len(entries)

    async def claim(self) -> int:
        """Claim entries idle longer than `claim_idle_seconds` (left by a dead replica) and handle them."""
        claimed = 0
        idle_ms = int(self.options.claim_idle_seconds * 1000)
        for stream in self.streams:
            start = "0-0"
            for _ in range(100):  # bounded: at most 100 pages per round
                reply = await self.redis.client.xautoclaim(
                    stream, self.group, self.member, min_idle_time=idle_ms, start_id=start, count=self.options.batch
                )
                start, items = _text(reply[0]), [(i, f) for i, f in reply[1] if i is not None]
                if items:
                    attempts = await self._delivery_counts(stream, [_text(i) for i, _ in items])
                    entries = [_Entry(stream, _text(i), f, attempts.get(_text(i), 1)) for i, f in items]
                    log.info(
                        "claimed pending events",
                        extra={"consumer": self.group, "stream": stream, "count": len(entries)},
                    )
                    await self._handle(entries)
                    claimed += len(entries)
                if start == "0-0":
                    break
        await self._forget_idle_members()
        try:
            await self.measure_lag()
        except Exception:  # a metric must never stop consumption
            log.debug("could not measure the consumer lag", exc_info=True, extra={"consumer": self.group})
        return claimed

    async def measure_lag(self) -> dict[str, tuple[int, float]]:
        """Set the lag gauges of every source stream; returns {stream: (entries, seconds)}."""
        measured = {}
        for stream in self.streams:
            groups = {_text(g["name"]): g for g in await self.redis.client.xinfo_groups(stream)}
            group = groups.get(self.group)
            if group is None:
                continue
            last = _text(group["last-delivered-id"])
            # Redis 7 reports `lag` (entries after the last delivered one); Redis 6 does not: count them.
            undelivered = group.get("lag")
            newer = await self.redis.client.xrange(
                stream, min=f"({last}", count=1 if undelivered is not None else 10_000
            )
            if undelivered is None:
                undelivered = len(newer)
            oldest = [_entry_key(_text(newer[0][0]))[0]] if newer else []
            summary = await self.redis.client.xpending(stream, self.group)
            if summary["pending"]:
                oldest.append(_entry_key(_text(summary["min"]))[0])
            entries = int(undelivered) + int(summary["pending"])
            age = max(0.0, time.time() - min(oldest) / 1000) if oldest else 0.0
            short = stream.removeprefix(self.redis.prefix)
            LAG_ENTRIES.labels(self.group, short).set(entries)
            LAG_SECONDS.labels(self.group, short).set(age)
            measured[short] = (entries, age)
        return measured

    async def _forget_idle_members(self) -> None:
        """Remove group members with nothing pending that have been silent for an hour (old replicas)."""
        for stream in self.streams:
            for info in await self.redis.client.xinfo_consumers(stream, self.group):
                name = _text(info["name"])
                if name != self.member and info["pending"] == 0 and info["idle"] > 3_600_000:
                    await self.redis.client.xgroup_delconsumer(stream, self.group, name)

    async def _delivery_counts(self, stream: str, ids: list[str]) -> dict[str, int]:
        """Delivery count per entry (XPENDING): the attempt number of the delivery now in hand."""
        ids = sorted(ids, key=_entry_key)
        pending = await self.redis.client.xpending_range(
            stream,
            self.group,
            min=ids[0],
            max=ids[-1],
            count=len(ids) + len(self._retries) + 100,
            consumername=self.member,
        )
        return {_text(p["message_id"]): int(p["times_delivered"]) for p in pending}

    async def _retry(self, due: list[_Retry]) -> int:
        """Take back entries whose backoff is over (XCLAIM counts a new delivery) and handle them."""
        handled = 0
        for stream in {r.stream for r in due}:
            ids = [r.entry_id for r in due if r.stream == stream]
            items = [
                (i, f)
                for i, f in await self.redis.client.xclaim(
                    stream, self.group, self.member, min_idle_time=0, message_ids=ids
                )
                if i is not None
            ]
            if not items:  # another replica took them over and finished them
                continue
            attempts = await self._delivery_counts(stream, [_text(i) for i, _ in items])
            await self._handle([_Entry(stream, _text(i), f, attempts.get(_text(i), 1)) for i, f in items])
            handled += len(items)
        return handled

    # --- handling ----------------------------------------------------------------

    async def _handle(self, entries: list[_Entry]) -> None:
        ready: list[_Entry] = []
        for entry in entries:
            if entry.fields is None:  # trimmed from the stream while pending
                await self.redis.client.xack(entry.stream, self.group, entry.entry_id)
            elif entry.attempt > self.options.max_attempts:
                await self._dead(
                    entry,
                    f"delivered {entry.attempt - 1} times without being acknowledged "
                    "(the consumer handling it stopped each time)",
                    entry.attempt - 1,
                )
            else:
                try:
                    self._parse(entry)
                    if too_old(entry.entry_id, self._retention):
                        raise PermanentError(
                            "older than processed_events are kept "
                            f"({self.options.processed_retention_days:g} days): it may have been handled already"
                        )
                except PermanentError as err:
                    await self._dead(entry, str(err), entry.attempt)
                    continue
                ready.append(entry)
        if len(ready) > 1:
            try:
                await self._commit(ready)
                return
            except Exception:
                log.debug("batch failed; handling its events one by one", exc_info=True)
        for entry in ready:
            try:
                await self._commit([entry])
            except PermanentError as err:
                await self._dead(entry, f"{type(err).__name__}: {err}", entry.attempt)
            except Exception as err:
                await self._failed(entry, err)

    @staticmethod
    def _parse(entry: _Entry) -> None:
        fields = entry.fields or {}
        raw = fields.get(b"envelope")
        if raw is None:
            raise PermanentError("the stream entry has no envelope field")
        try:
            entry.envelope = event_pb2.EventEnvelope.FromString(raw)
        except DecodeError as err:
            raise PermanentError(f"the envelope is not an EventEnvelope: {err}") from None
        entry.event_id = entry.envelope.id or _text(fields.get(b"id", b""))
        if not entry.event_id:
            raise PermanentError("the event has no id")

    async def _commit(self, entries: list[_Entry]) -> None:
        """Handle `entries` in one transaction with their processed-event rows, then acknowledge them."""
        async with self.db.transaction() as conn:
            tx = Transaction(conn)
            cursor = await conn.execute(
                "INSERT INTO processed_events (consumer, event_id) SELECT %s, unnest(%b::text[])"
                " ON CONFLICT DO NOTHING RETURNING event_id",
                (self.group, [e.event_id for e in entries]),
            )
            fresh = {row["event_id"] for row in await cursor.fetchall()}
            for entry in entries:
                if entry.event_id not in fresh:  # handled before, or twice in this batch
                    EVENTS.labels(self.group, "duplicate").inc()
                    continue
                fresh.discard(entry.event_id)
                await self._call_handler(tx, entry)
            for action in tx._before:
                await action()
        for action in tx._after:
            try:
                await action()
            except Exception:
                log.warning("after-commit action failed", exc_info=True, extra={"consumer": self.group})
        for stream in {e.stream for e in entries}:
            await self.redis.client.xack(stream, self.group, *[e.entry_id for e in entries if e.stream == stream])
        EVENTS.labels(self.group, "handled").inc(len(entries))

    async def _call_handler(self, tx: Transaction, entry: _Entry) -> None:
        envelope = entry.envelope
        assert envelope is not None  # parsed before any handler is called
        if not self._spans:
            # No span goes anywhere: skip OpenTelemetry's per-event span (as the RPC path does); the
            # event's trace is still named in the handler's logs and in the events it emits.
            state = context.CallState(
                method=f"event {envelope.type}", request_id=entry.event_id, traceparent=envelope.traceparent
            )
            state.trace_id = telemetry.trace_ids(envelope.traceparent)[0]
            token = context.begin(state)
            try:
                await self.handler(tx, Event(entry.stream, entry.entry_id, envelope, entry.attempt))
            finally:
                context.end(token)
            return
        parent = _propagator.extract({"traceparent": envelope.traceparent}) if envelope.traceparent else None
        with _tracer.start_as_current_span(
            f"handle {envelope.type}", context=parent, kind=trace.SpanKind.CONSUMER
        ) as span:
            state = context.CallState(
                method=f"event {envelope.type}", request_id=entry.event_id, traceparent=envelope.traceparent
            )
            span_context = span.get_span_context()
            if span_context.is_valid:
                state.trace_id = f"{span_context.trace_id:032x}"
            token = context.begin(state)
            try:
                await self.handler(tx, Event(entry.stream, entry.entry_id, envelope, entry.attempt))
            finally:
                context.end(token)

    async def _failed(self, entry: _Entry, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"
        if entry.attempt >= self.options.max_attempts:
            await self._dead(entry, message, entry.attempt)
            return
        delay = self.options.retry_delay(entry.attempt)
        EVENTS.labels(self.group, "retry").inc()
        log.warning(
            "event handler failed; will retry",
            extra={
                "consumer": self.group,
                "event_id": entry.event_id,
                "attempt": entry.attempt,
                "retry_in_seconds": round(delay, 3),
                "error": message,
            },
        )
        heapq.heappush(self._retries, _Retry(time.monotonic() + delay, entry.stream, entry.entry_id))

    async def _dead(self, entry: _Entry, error: str, attempts: int) -> None:
        """Move an entry to the dead-letter stream and acknowledge it, atomically."""
        fields = deadletters.dead_letter_fields(
            entry.fields or {}, entry.stream, entry.entry_id, self.group, error, attempts
        )
        pipe = self.redis.client.pipeline(transaction=True)
        pipe.xadd(deadletters.dead_letter_stream(self.redis), fields)
        pipe.xack(entry.stream, self.group, entry.entry_id)
        await pipe.execute()
        EVENTS.labels(self.group, "dead").inc()
        log.error(
            "event moved to the dead-letter stream",
            extra={
                "consumer": self.group,
                "event_id": entry.event_id,
                "stream": entry.stream,
                "attempts": attempts,
                "error": error,
            },
        )


def _entry_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def consumer_task(
    name: str, sources: list[str], make_handler: Callable[[Any], Handler], **option_defaults: Any
) -> Callable[[Any], Coroutine[Any, Any, None]]:
    """A `ServiceSpec` background task running a consumer.

    `make_handler(resources)` builds the handler; options come from the
    service's `<SERVICE>_EVENTS_*` environment variables over `option_defaults`.
    """

    async def consume_events(resources: Any) -> None:
        options = ConsumerOptions.from_settings(resources.settings, **option_defaults)
        consumer = Consumer(resources.db, resources.redis, name, sources, make_handler(resources), options)
        resources.extras.setdefault("consumers", []).append(consumer)
        await consumer.run()

    consume_events.__name__ = f"consume_{name}"
    return consume_events
