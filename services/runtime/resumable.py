"""Resumable server streams: replay from the source of truth, then follow the live fan-out.

A live RPC ("tell me what happens to X from now on, or from event N") is
served the same way by every service that has one (notifications'
`Subscribe`, matching's `WatchMatches`):

- Each subject's items carry a sequence number that is contiguous per
  subject (the writer numbers them under a lock on the subject), stored in
  the service's database: the source of truth.
- The subscription to the live fan-out (`runtime.fanout`) opens before the
  database is read, so an item committed in between arrives on the live
  path and is dropped there as already sent.
- Anything at or below the last number sent is a duplicate and skipped; a
  jump past the next one means live messages were lost, so the gap is read
  from the database; so is everything after a `RESYNC`, and after every
  quiet heartbeat interval (which covers a writer that died between its
  commit and its publish).
- The client resumes with the last id it saw: in the request, or, for SSE
  clients that reconnect on their own, in the `Last-Event-ID` header.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

from services.runtime.errors import InvalidArgument
from services.runtime.fanout import RESYNC, Subscription

MAX_EVENT_ID = 2**63 - 1
R = TypeVar("R")
T = TypeVar("T")


def event_id(text: str, field: str) -> int | None:
    """A resume point: None for empty, else the decimal number (INVALID_ARGUMENT on `field` if not one)."""
    if not text:
        return None
    if not text.isdigit() or len(text) > 19 or int(text) > MAX_EVENT_ID:
        raise InvalidArgument.field(field, "must be an event_id from this stream (a decimal number)")
    return int(text)


def resume_point(requested: str, field: str, metadata: Mapping[str, Any]) -> int | None:
    """The id to resume after: the request's field, else the SSE `Last-Event-ID` header."""
    after = event_id(requested, field)
    if after is None:
        after = event_id(str(metadata.get("last-event-id", "")).strip(), "Last-Event-ID")
    return after


async def pages(
    fetch: Callable[[int, int], Awaitable[list[R]]], seq_of: Callable[[R], int], after: int, page: int
) -> AsyncIterator[R]:
    """Every row after `after`, oldest first, read `page` at a time with `fetch(after, page)`."""
    while True:
        rows = await fetch(after, page)
        for row in rows:
            after = seq_of(row)
            yield row
        if len(rows) < page:
            return


async def follow(
    subscription: Subscription,
    *,
    start: int,
    missed: Callable[[int], AsyncIterator[tuple[int, T]]],
    live: Callable[[bytes], tuple[int, T | None]],
    heartbeat: Callable[[int], T],
    heartbeat_seconds: float,
) -> AsyncIterator[T]:
    """The stream's items: what was missed after `start`, a heartbeat, then live items and heartbeats.

    `missed(after)` yields `(seq, item)` from the database; `live(payload)` turns
    a fan-out payload into `(seq, item)`, or `(seq, None)` when the item must be
    read from the database (a payload that only says "seq N exists").
    """
    last = start
    async for seq, item in missed(last):
        last = seq
        yield item
    yield heartbeat(last)
    while True:
        got = await subscription.get(heartbeat_seconds)
        if got is None or got is RESYNC:
            async for seq, item in missed(last):
                last = seq
                yield item
            if got is None:
                yield heartbeat(last)
            continue
        assert isinstance(got, bytes)
        seq, live_item = live(got)
        if seq <= last:
            continue
        if seq > last + 1 or live_item is None:
            async for seq, item in missed(last):
                last = seq
                yield item
            continue
        last = seq
        yield live_item
