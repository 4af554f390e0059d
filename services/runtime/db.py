"""PostgreSQL access: one async connection pool per service, bound to its schema.

When PostgreSQL goes away (restart, failover, network), a call fails fast
with `Unavailable` (gRPC UNAVAILABLE) rather than waiting for its deadline:
a connection-level error marks the database down, and while it is down
`transaction()` / `connection()` refuse at once. `watch()` (a background task
of every service) probes it every second, reports the change (the server
turns its gRPC health NOT_SERVING, so the mesh routes around it) and marks it
up again once a probe succeeds; pooled connections are checked before use,
so the ones broken by the restart are replaced (all of them at once when it comes back).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import sql
from psycopg.rows import DictRow, class_row, dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from services.runtime.errors import Unavailable

log = logging.getLogger(__name__)

# A connection of the pool: rows are dicts unless a query asks for another row factory.
Connection = psycopg.AsyncConnection[DictRow]
Query = str | bytes | sql.Composable
Row = TypeVar("Row")


# An RPC whose writes must commit together with something the runtime records
# (an idempotency key) runs with one open transaction joined here: every
# `transaction()` / `connection()` of that database in the RPC reuses it.
_joined: contextvars.ContextVar[tuple[Database, Connection] | None] = contextvars.ContextVar(
    "iworkz_db_joined", default=None
)


class Database:
    """A psycopg 3 async pool whose connections use the service's schema."""

    def __init__(self, url: str, schema: str, min_size: int = 1, max_size: int = 10, wait_seconds: float = 5.0) -> None:
        self.url = url
        self.schema = schema
        self.available = True
        # Called with the connection after each committed `transaction()` (runtime.replica's write fence).
        self.after_commit: Callable[[Connection], Awaitable[None]] | None = None
        self.pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
            url,
            connection_class=Connection,
            min_size=min_size,
            max_size=max_size,
            open=False,
            timeout=wait_seconds,  # longest wait for a free connection
            check=AsyncConnectionPool.check_connection,  # a connection broken by a restart is replaced
            kwargs={
                "connect_timeout": 3,
                "row_factory": dict_row,
                "autocommit": True,
                "options": f"-c search_path={schema},public",
            },
        )

    async def open(self) -> None:
        await self.pool.open(wait=True, timeout=30)

    async def close(self) -> None:
        await self.pool.close()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A connection inside one transaction, committed when the block ends cleanly.

        Inside `joined()` it is a savepoint of the joined transaction, which commits later.
        """
        joined = _joined.get()
        if joined is not None and joined[0] is self:
            async with joined[1].transaction():
                yield joined[1]
            return
        async with self.pooled() as conn:
            async with conn.transaction():
                yield conn
            if self.after_commit is not None:
                await self.after_commit(conn)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A connection in autocommit mode, for single statements and reads (inside `joined()`: the
        joined transaction's, so reads see its writes)."""
        joined = _joined.get()
        if joined is not None and joined[0] is self:
            async with joined[1].transaction():  # a savepoint: a failed statement spoils only itself
                yield joined[1]
            return
        async with self.pooled() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def pooled(self) -> AsyncIterator[Connection]:
        """A connection of the pool (autocommit), never a joined one: refused at once while the
        database is down, and a lost connection becomes `Unavailable`."""
        self._refuse_if_down()
        try:
            async with self.pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as err:
            self._raise_if_unreachable(err)
            raise

    # --- availability ---------------------------------------------------------------------

    def _refuse_if_down(self) -> None:
        if not self.available:
            raise Unavailable("the database is unavailable; try again shortly")

    def _raise_if_unreachable(self, err: Exception) -> None:
        """A lost or refused connection (not a query's own error) marks the database down: Unavailable.
        A pool with no free connection in time is Unavailable for that call only."""
        if isinstance(err, PoolTimeout):
            # Every pooled connection was busy for the pool's timeout: this call is refused, but the
            # database is not down, so other calls are not refused at once until the next probe.
            raise Unavailable("the database is busy; try again shortly") from err
        state = getattr(err, "sqlstate", None) or ""
        if not state or state.startswith(("08", "57P")):
            if self.available:
                log.warning("database unreachable", extra={"error": str(err).strip()[:200]})
            self.available = False
            raise Unavailable("the database is unavailable; try again shortly") from err

    async def probe(self) -> bool:
        """One `SELECT 1` on a new connection (a few seconds at most); updates `available`."""
        try:
            async with await psycopg.AsyncConnection.connect(self.url, connect_timeout=3, autocommit=True) as conn:
                await asyncio.wait_for(conn.execute("SELECT 1"), 3)
            ok = True
        except (TimeoutError, OSError, psycopg.Error):
            ok = False
        if ok and not self.available:
            # The connections the outage broke are still in the pool (while down, calls were refused
            # before taking one): replace them before calls are let in again, or each would cost a
            # call a failed check and a growing back-off sleep (several seconds, past its deadline).
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.pool.check(), 5)
            log.info("database reachable again")
        self.available = ok
        return ok

    async def watch(self, on_change: Callable[[bool], Awaitable[None]], interval_seconds: float = 1.0) -> None:
        """Probe every `interval_seconds` (faster while down); call `on_change(available)` on each change."""
        reported = True
        while True:
            before = self.available
            await asyncio.sleep(interval_seconds if before else interval_seconds / 2)
            await self.probe()
            if self.available != reported:
                reported = self.available
                await on_change(reported)

    @contextlib.asynccontextmanager
    async def joined(self, conn: Connection) -> AsyncIterator[None]:
        """Within the block, this task's `transaction()` and `connection()` use `conn` (already in a
        transaction), so what the block writes commits or rolls back with the caller's transaction.
        Tasks started inside share it: they must not use the database concurrently."""
        token = _joined.set((self, conn))
        try:
            yield
        finally:
            _joined.reset(token)


async def fetch_one(conn: Connection, row_type: type[Row], query: Query, params: Sequence[Any] = ()) -> Row | None:
    """The first row of a query as a `row_type` (a dataclass whose fields are the columns), or None."""
    async with conn.cursor(row_factory=class_row(row_type)) as cursor:
        await cursor.execute(query, params)  # type: ignore[arg-type]
        return await cursor.fetchone()


async def fetch_all(conn: Connection, row_type: type[Row], query: Query, params: Sequence[Any] = ()) -> list[Row]:
    """Every row of a query as a `row_type` (a dataclass whose fields are the columns)."""
    async with conn.cursor(row_factory=class_row(row_type)) as cursor:
        await cursor.execute(query, params)  # type: ignore[arg-type]
        return await cursor.fetchall()
