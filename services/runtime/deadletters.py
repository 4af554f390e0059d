"""The dead-letter stream: events a consumer gave up on, kept for inspection and replay.

When a consumer fails to handle an event `max_attempts` times (or the event
can never be handled), it adds the event's stream fields to
`<prefix>events:dead`, together with where it came from, which consumer gave
up, the last error and the attempt count, and acknowledges the original entry
in the same MULTI/EXEC. `replay` puts dead letters back on their source
stream (as new entries) and removes them from the dead-letter stream; every
consumer group of that stream sees them again, and the groups that had
already handled the event skip it (`processed_events`).

Operators use `iworkz events dead-letters list|replay`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from services.runtime.redisconn import RedisClient

# Fields added to the event's own (id, type, aggregate_type, aggregate_id, envelope).
_META = (b"source_stream", b"source_entry_id", b"consumer", b"error", b"attempts", b"failed_at")
MAX_ERROR_CHARS = 2000


def dead_letter_stream(redis: RedisClient) -> str:
    return redis.key("events", "dead")


@dataclass(frozen=True)
class DeadLetter:
    """One entry of the dead-letter stream."""

    entry_id: str  # id in the dead-letter stream
    source_stream: str
    source_entry_id: str
    consumer: str  # the consumer group that gave up
    error: str
    attempts: int
    failed_at: float  # Unix time
    event_id: str
    event_type: str
    fields: dict[bytes, bytes] = field(repr=False, default_factory=dict)  # the event's original fields


def dead_letter_fields(
    fields: dict[bytes, bytes], source_stream: str, source_entry_id: str, consumer: str, error: str, attempts: int
) -> dict[bytes, bytes]:
    """The dead-letter entry for an event: its own fields plus why and where it failed."""
    entry = {k: v for k, v in fields.items() if k not in _META}
    entry.update(
        {
            b"source_stream": source_stream.encode(),
            b"source_entry_id": source_entry_id.encode(),
            b"consumer": consumer.encode(),
            b"error": error[:MAX_ERROR_CHARS].encode(),
            b"attempts": str(attempts).encode(),
            b"failed_at": f"{time.time():.3f}".encode(),
        }
    )
    return entry


def _text(fields: dict[bytes, bytes], name: bytes) -> str:
    return fields.get(name, b"").decode(errors="replace")


def _parse(entry_id: bytes, fields: dict[bytes, bytes]) -> DeadLetter:
    return DeadLetter(
        entry_id=entry_id.decode(),
        source_stream=_text(fields, b"source_stream"),
        source_entry_id=_text(fields, b"source_entry_id"),
        consumer=_text(fields, b"consumer"),
        error=_text(fields, b"error"),
        attempts=int(_text(fields, b"attempts") or 0),
        failed_at=float(_text(fields, b"failed_at") or 0),
        event_id=_text(fields, b"id"),
        event_type=_text(fields, b"type"),
        fields={k: v for k, v in fields.items() if k not in _META},
    )


async def list_dead_letters(redis: RedisClient, count: int = 100) -> list[DeadLetter]:
    """The oldest `count` dead letters."""
    entries = await redis.client.xrange(dead_letter_stream(redis), count=count)
    return [_parse(entry_id, fields) for entry_id, fields in entries]


async def replay(redis: RedisClient, ids: list[str] | None = None) -> list[tuple[DeadLetter, str]]:
    """Put dead letters back on their source streams; return (dead letter, new entry id) pairs.

    `ids` selects by dead-letter entry id or by event id; None replays all.
    Each one is re-added and removed in one MULTI/EXEC, so it is never lost
    and never in both places.
    """
    stream = dead_letter_stream(redis)
    wanted = set(ids) if ids is not None else None
    replayed: list[tuple[DeadLetter, str]] = []
    start = "-"
    while True:
        entries = await redis.client.xrange(stream, min=start, count=500)
        if not entries:
            break
        for entry_id, fields in entries:
            letter = _parse(entry_id, fields)
            if wanted is not None and not wanted & {letter.entry_id, letter.event_id}:
                continue
            if not letter.source_stream:
                continue
            pipe = redis.client.pipeline(transaction=True)
            pipe.xadd(letter.source_stream, letter.fields)
            pipe.xdel(stream, letter.entry_id)
            new_id, _ = await pipe.execute()
            replayed.append((letter, new_id.decode()))
        start = "(" + entries[-1][0].decode()
    return replayed
