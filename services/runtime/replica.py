"""Reads from a streaming replica (DATABASE_REPLICA_URL) with read-your-writes.

Read-heavy RPCs (job search, public job pages, matching's projection load) take their
connection from `ReadRouter.reader()`. Without a replica that is the primary. With one:

- after a caller's write transaction commits, the primary's WAL position
  (`pg_current_wal_lsn()`, at or past that commit) is recorded for the caller, in Redis with a
  short time to live, so every replica of the service knows it (a write fence);
- a read by a caller with a fence goes to the replica only once the replica has replayed up to
  it (`pg_last_wal_replay_lsn()`), polling for at most `max_wait` seconds, and otherwise to the
  primary; a caller without a fence (anonymous, or no recent write) reads the replica at once;
- `reader(fresh=True)` first takes the primary's current position: the read sees everything
  committed before it (matching's projection load, which must not miss applied events).

A replica that cannot be reached sends reads to the primary (and logs it); the fence keys
expire after `fence_seconds`, longer than any replication lag worth waiting for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from prometheus_client import Counter

from services.runtime import context
from services.runtime.db import Connection, Database
from services.runtime.redisconn import RedisClient

log = logging.getLogger(__name__)

READS = Counter("iworkz_db_reads_total", "Routed reads by where they went", ["target"])  # replica, primary


class RedisFences:
    """Per caller, the WAL position of their last write (`<prefix>ryw:<caller>`)."""

    def __init__(self, redis: RedisClient, ttl_seconds: float) -> None:
        self.redis, self.ttl_ms = redis, int(ttl_seconds * 1000)

    async def record(self, caller: str, lsn: str) -> None:
        await self.redis.client.set(self.redis.key("ryw", caller), lsn, px=self.ttl_ms)

    async def get(self, caller: str) -> str | None:
        value = await self.redis.client.get(self.redis.key("ryw", caller))
        return value.decode() if isinstance(value, bytes) else value


class ReadRouter:
    def __init__(
        self,
        primary: Database,
        replica: Database | None = None,
        fences: RedisFences | None = None,
        max_wait: float = 1.0,
        poll: float = 0.02,
    ) -> None:
        self.primary, self.replica, self.fences = primary, replica, fences
        self.max_wait, self.poll = max_wait, poll
        if replica is not None:
            primary.after_commit = self.record_write

    @staticmethod
    def _caller() -> str:
        caller = context.optional_caller()
        return f"{caller.kind}:{caller.subject}" if caller else ""

    async def record_write(self, conn: Connection) -> None:
        """After a committed write transaction: fence the caller's later reads at this position."""
        caller = self._caller()
        if not caller or self.fences is None:
            return
        row = await (await conn.execute("SELECT pg_current_wal_lsn()::text AS lsn")).fetchone()
        if row:
            await self.fences.record(caller, row["lsn"])

    async def _replayed(self, conn: Connection, lsn: str) -> bool:
        row = await (
            await conn.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false) AS ok", (lsn,))
        ).fetchone()
        return bool(row and row["ok"])

    async def _current_lsn(self) -> str:
        async with self.primary.connection() as conn:
            row = await (await conn.execute("SELECT pg_current_wal_lsn()::text AS lsn")).fetchone()
        return str(row["lsn"]) if row else "0/0"

    @contextlib.asynccontextmanager
    async def reader(self, fresh: bool = False) -> AsyncIterator[Connection]:
        """A connection for reads: the replica when it has what this caller must see, else the primary."""
        if self.replica is None:
            async with self.primary.connection() as conn:
                yield conn
            return
        fence = await self._current_lsn() if fresh else None
        caller = self._caller()
        if fence is None and caller and self.fences is not None:
            fence = await self.fences.get(caller)
        async with contextlib.AsyncExitStack() as stack:
            replica = await self._replica_connection(stack, fence)
            READS.labels("replica" if replica is not None else "primary").inc()
            yield replica if replica is not None else await stack.enter_async_context(self.primary.connection())

    async def _replica_connection(
        self, stack: contextlib.AsyncExitStack[bool | None], fence: str | None
    ) -> Connection | None:
        """A replica connection that has replayed `fence` (kept open by `stack`), or None."""
        assert self.replica is not None
        replica_stack = contextlib.AsyncExitStack()
        try:
            conn = await replica_stack.enter_async_context(self.replica.connection())
            if fence is not None:
                deadline = time.monotonic() + self.max_wait
                while not await self._replayed(conn, fence):
                    if time.monotonic() >= deadline:
                        await replica_stack.aclose()
                        return None
                    await asyncio.sleep(self.poll)
        except Exception as err:
            await replica_stack.aclose()
            if not _is_connection_error(err):
                raise
            log.warning("the read replica is unavailable; reading from the primary", exc_info=True)
            return None
        stack.push_async_exit(replica_stack)
        return conn


def _is_connection_error(err: Exception) -> bool:
    import psycopg
    import psycopg_pool

    from services.runtime.errors import Unavailable

    # The replica's Database turns a lost connection into Unavailable (and refuses while it is down).
    return isinstance(err, psycopg.OperationalError | psycopg_pool.PoolTimeout | Unavailable)
