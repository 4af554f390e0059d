"""Retention: what the event machinery and request ids keep, and for how long.

- **Streams.** A service's event stream (`<prefix>events:<service>`) is
  trimmed (XTRIM MINID) below the oldest entry some consumer group has not
  passed: for each group, its oldest pending entry (delivered, not yet
  acknowledged — including entries waiting for a retry or a claim), or, if it
  has none, the entry after its last delivered one. The groups are read
  before their pending lists, so an entry delivered in between is newer than
  the bound and kept. A stream no group reads is left alone (nothing has
  passed it). A group created later starts from what is retained: rebuilding
  a projection from scratch reads the owning service, not the stream.
- **processed_events.** Rows older than `processed_retention_days` (7 by
  default) are deleted. Effect-once still holds: the consumer dead-letters,
  instead of handling, any entry whose stream id is older than that window
  less an hour (`too_old`). An entry can only be seen again while it exists
  in the stream, and a redelivered entry keeps its stream id, so an entry
  whose row could have been deleted is never applied a second time. (A
  dead letter replayed later is a new entry: replay is an operator's
  decision, taken within the window.)
- **Request ids** (`idempotency_keys`) are deleted 24 hours after use.

`retention_task` runs in every service (the server starts it) every
`trim_interval_seconds`.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
from typing import Any

from prometheus_client import Counter

from services.runtime import idempotency
from services.runtime.cancellation import raise_if_cancelled
from services.runtime.db import Database
from services.runtime.redisconn import RedisClient
from services.runtime.relay import stream_name

log = logging.getLogger(__name__)

REMOVED = Counter("iworkz_retention_removed_total", "Entries and rows removed by retention", ["what"])
SKEW = datetime.timedelta(hours=1)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _after(entry_id: str) -> str:
    ms, seq = _key(entry_id)
    return f"{ms}-{seq + 1}"


async def trim_bound(redis: RedisClient, stream: str) -> str | None:
    """The lowest entry id some consumer group of `stream` still needs, or None to keep everything."""
    client = redis.client
    try:
        groups = await client.xinfo_groups(stream)
    except Exception as err:  # no such stream
        if "no such key" in str(err).lower():
            return None
        raise
    if not groups:
        return None
    bounds = []
    for group in groups:  # the groups first: anything delivered after this read is above the bound
        bounds.append((_text(group["name"]), _after(_text(group["last-delivered-id"]))))
    needed = []
    for name, after_last in bounds:
        summary = await client.xpending(stream, name)
        oldest = summary.get("min") if summary and summary.get("pending") else None
        needed.append(_text(oldest) if oldest else after_last)
    return min(needed, key=_key)


async def trim_stream(redis: RedisClient, stream: str) -> int:
    """Remove the entries every consumer group of `stream` has passed; return how many."""
    bound = await trim_bound(redis, stream)
    if bound is None or bound == "0-1":
        return 0
    removed = int(await redis.client.xtrim(stream, minid=bound, approximate=False))
    REMOVED.labels("stream_entries").inc(removed)
    return removed


async def expire_processed_events(db: Database, retention: datetime.timedelta) -> int:
    """Delete processed_events rows older than `retention`; return how many."""
    async with db.connection() as conn:
        cursor = await conn.execute("DELETE FROM processed_events WHERE processed_at < now() - %s", (retention,))
        removed = cursor.rowcount
    REMOVED.labels("processed_events").inc(removed)
    return removed


def too_old(entry_id: str, retention: datetime.timedelta, now: float | None = None) -> bool:
    """Whether a stream entry is older than processed_events keep their rows (less the clock-skew margin):
    its row may be gone, so it must not be handled."""
    age_ms = (time.time() if now is None else now) * 1000 - _key(entry_id)[0]
    return age_ms > (retention - SKEW).total_seconds() * 1000


async def run_once(resources: Any) -> dict[str, int]:
    """One retention round for a service: its stream, its processed_events, its request ids."""
    settings = resources.settings
    retention = datetime.timedelta(days=settings.events.processed_retention_days)
    return {
        "stream_entries": await trim_stream(resources.redis, stream_name(resources.redis, settings.service)),
        "processed_events": await expire_processed_events(resources.db, retention),
        "request_ids": await idempotency.prune(resources.db),
    }


async def retention_task(resources: Any) -> None:
    """Background task: `run_once` every `trim_interval_seconds`, riding out outages."""
    while True:
        await asyncio.sleep(resources.settings.events.trim_interval_seconds)
        raise_if_cancelled()
        try:
            removed = await run_once(resources)
            if any(removed.values()):
                log.info("retention", extra=removed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("retention round failed; will try again", exc_info=True)
