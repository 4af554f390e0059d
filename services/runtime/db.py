"""PostgreSQL access: one async connection pool per service, bound to its schema."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import sql
from psycopg.rows import DictRow, class_row, dict_row
from psycopg_pool import AsyncConnectionPool

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

    def __init__(self, url: str, schema: str, min_size: int = 1, max_size: int = 10) -> None:
        self.url = url
        self.schema = schema
        # Called with the connection after each committed `transaction()` (runtime.replica's write fence).
        self.after_commit: Callable[[Connection], Awaitable[None]] | None = None
        self.pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
            url,
            connection_class=Connection,
            min_size=min_size,
            max_size=max_size,
            open=False,
            kwargs={"row_factory": dict_row, "autocommit": True, "options": f"-c search_path={schema},public"},
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
        async with self.pool.connection() as conn:
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
        async with self.pool.connection() as conn:
            yield conn

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
