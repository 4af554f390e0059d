"""The job index in PostgreSQL with pgvector: vectors held only in the table, queries off the event loop.

For deployments whose index outgrows a replica's memory: the job vectors live
in one table shared by every replica (`id`, a `seq` number the table assigns,
`embedding vector(dim)`), with an HNSW index (inner product) and a btree on
`seq`. A replica keeps no vector of a job: only each job's row number and its
`seq` (`PgVectorSlots`). Filters apply before the top-k:

- the eligibility mask becomes the allowed `seq` numbers. A small allowed set
  (fewer than `exact_below` rows, or under `exact_fraction` of them) is
  searched exactly: `seq = ANY(...)` through the btree, the HNSW index scan
  switched off for that query;
- a large one is sent as a bitmap over `seq` (`get_bit`, 1 bit a job: 12.5 kB
  at 100,000 jobs) and searched through the HNSW index with `hnsw.ef_search`
  widened in inverse proportion to the share allowed. pgvector 0.6 filters
  after the graph walk, so a walk that returns fewer than k rows is retried
  at the widest `ef_search` (1000), then exactly (a sequential scan that
  computes distances only for the allowed rows): a worker with a rare
  eligibility still gets k results.

The default breadth, `ef_search` 512, was measured on `bench/matching_bench.py`'s
market at 100,000 jobs (pgvector's default graph, m=16, ef_construction=64;
eligibility filters): recall@20 against exact filtered search 0.785 at 256,
0.868 at 512, 0.906 at 1000, search p50 35, 43, 47 ms (load 3.7). Beyond that
the graph itself must be denser (a larger `m`: a rebuild of the index).

The candidates are reranked exactly in SQL (their true distances, ties by id)
and only the best k come back, with their vectors (binary), which the caller
scores with: nothing else of the vectors is kept.

Two ways in. The service's index is async only (`PgVectorIndex.connect`, a
small psycopg `AsyncConnectionPool`): every query is awaited, none blocks the
event loop, and the sync methods refuse (`BlockingCall`). Built with
`PgVectorIndex(...)` it also has one synchronous connection, for scripts,
benchmarks and sync tests (the `VectorIndex` interface: `upsert`, `remove`,
`search`).

Needs the `vector` extension (pgvector >= 0.5: HNSW). `pgserver` ships
PostgreSQL 16 with pgvector 0.6.2; Debian's PostgreSQL 15 here has none.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import psycopg
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

Vectors = npt.NDArray[np.float32]
Row = tuple[str, float, Vectors]  # id, exact inner product with the query, the vector
MAX_EF_SEARCH = 1000  # pgvector's limit
T = TypeVar("T")


class BlockingCall(RuntimeError):
    """A synchronous query asked of an async-only index (it would block the event loop)."""


def literal(vector: npt.NDArray[np.float32]) -> str:
    """pgvector's text form; 9 significant digits give back the same float32."""
    return "[" + ",".join(f"{x:.9g}" for x in np.asarray(vector, dtype=np.float32).reshape(-1)) + "]"


def _vector(raw: bytes) -> Vectors:
    """pgvector's binary form: dim (int16), unused (int16), dim big-endian float32."""
    return np.frombuffer(raw, dtype=">f4", offset=4).astype(np.float32)


@dataclass(frozen=True)
class _Query:
    """One statement of a search, in its own transaction with `settings` (SET LOCAL)."""

    settings: tuple[tuple[str, str], ...]
    statement: sql.Composed | sql.SQL
    params: dict[str, Any]


@dataclass(frozen=True)
class Write:
    """What a flush writes: vectors to set (replacing), ids to make rows for unless they have one
    (a zero vector: a job known before its vector), ids to delete."""

    vectors: Mapping[str, Vectors]
    reserve: Sequence[str] = ()
    delete: Sequence[str] = ()


class PgVectorIndex:
    """Vectors in `<schema>.<table>` (id text, seq bigint, embedding vector(dim)), HNSW over inner product."""

    def __init__(
        self,
        conninfo: str,
        dim: int,
        *,
        schema: str = "matching",
        table: str = "job_vectors",
        ef_search: int = 512,
        rerank_factor: int = 4,
        exact_below: int = 10_000,
        exact_fraction: float = 0.1,
        sync: bool = True,
        pool_size: int = 4,
    ) -> None:
        """`sync=False`: async only (call `await open()`); else one synchronous connection, set up now."""
        self.dim = dim
        self.ef_search, self.rerank_factor = ef_search, rerank_factor
        self.exact_below, self.exact_fraction = exact_below, exact_fraction
        self._conninfo = conninfo
        self._schema = schema
        self._table = sql.Identifier(schema, table)
        self._table_name = table
        self._conn: psycopg.Connection[Any] | None = None
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] | None = None
        self._pool_size = pool_size
        if sync:
            self._conn = psycopg.connect(conninfo, autocommit=True)
            for statement in self._setup():
                self._conn.execute(statement)

    @classmethod
    async def connect(cls, conninfo: str, dim: int, **options: Any) -> PgVectorIndex:
        """The async-only index the service uses: a small pool, the table set up."""
        index = cls(conninfo, dim, sync=False, **options)
        await index.open()
        return index

    async def open(self) -> None:
        self._pool = AsyncConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=self._pool_size,
            open=False,
            kwargs={"autocommit": True, "connect_timeout": 3},
            check=AsyncConnectionPool.check_connection,
        )
        await self._pool.open(wait=True, timeout=30)
        async with self._pool.connection() as conn:
            for statement in self._setup():
                await conn.execute(statement)

    def _setup(self) -> list[sql.Composed | sql.SQL]:
        name = self._table_name
        return [
            sql.SQL("CREATE EXTENSION IF NOT EXISTS vector"),
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self._schema)),
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (id text PRIMARY KEY, embedding vector({}) NOT NULL)").format(
                self._table, sql.Literal(self.dim)
            ),
            # A table made before the seq column (its rows are numbered once, here).
            sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS seq bigserial").format(self._table),
            sql.SQL("CREATE UNIQUE INDEX IF NOT EXISTS {} ON {} (seq)").format(
                sql.Identifier(f"{name}_seq"), self._table
            ),
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING hnsw (embedding vector_ip_ops)").format(
                sql.Identifier(f"{name}_hnsw"), self._table
            ),
        ]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    async def aclose(self) -> None:
        self.close()
        if self._pool is not None:
            await self._pool.close()

    # --- running statements: one synchronous connection, or the async pool -------------

    def _sync(self) -> psycopg.Connection[Any]:
        if self._conn is None:
            raise BlockingCall("this pgvector index is async only (the service's): await the a* methods")
        return self._conn

    def _run(self, query: _Query) -> list[tuple[Any, ...]]:
        conn = self._sync()
        with conn.transaction():
            for name, value in query.settings:
                conn.execute(sql.SQL("SET LOCAL {} = {}").format(sql.Identifier(*name.split(".")), sql.Literal(value)))
            cursor = conn.cursor(binary=True)
            cursor.execute(query.statement, query.params)
            return cursor.fetchall() if cursor.description else []

    async def _arun(self, query: _Query) -> list[tuple[Any, ...]]:
        if self._pool is None:
            raise RuntimeError("await open() first")
        async with self._pool.connection() as conn, conn.transaction():
            for name, value in query.settings:
                await conn.execute(
                    sql.SQL("SET LOCAL {} = {}").format(sql.Identifier(*name.split(".")), sql.Literal(value))
                )
            cursor = conn.cursor(binary=True)
            await cursor.execute(query.statement, query.params)
            return await cursor.fetchall() if cursor.description else []

    def _drive(self, steps: Generator[_Query, list[tuple[Any, ...]], T]) -> T:
        try:
            query = next(steps)
            while True:
                query = steps.send(self._run(query))
        except StopIteration as done:
            return done.value

    async def _adrive(self, steps: Generator[_Query, list[tuple[Any, ...]], T]) -> T:
        try:
            query = next(steps)
            while True:
                query = steps.send(await self._arun(query))
        except StopIteration as done:
            return done.value

    # --- writes ---------------------------------------------------------------------------

    def write(self, change: Write) -> dict[str, int]:
        """Apply `change`; the `seq` of every row written or reserved."""
        return self._drive(self._write(change))

    async def awrite(self, change: Write) -> dict[str, int]:
        return await self._adrive(self._write(change))

    def _write(self, change: Write) -> Generator[_Query, list[tuple[Any, ...]], dict[str, int]]:
        if change.delete:
            delete = sql.SQL("DELETE FROM {} WHERE id = ANY(%(ids)s)").format(self._table)
            yield _Query((), delete, {"ids": list(change.delete)})
        seqs: dict[str, int] = {}
        names = list(change.vectors)
        for start in range(0, len(names), 5000):
            batch = names[start : start + 5000]
            rows = yield _Query(
                (),
                sql.SQL(
                    "INSERT INTO {} (id, embedding) SELECT id, embedding::vector "
                    "FROM unnest(%(ids)s::text[], %(vectors)s::text[]) AS v(id, embedding) "
                    # An unchanged vector is not rewritten: every replica writes the vectors it loads,
                    # and a rewrite costs an HNSW insertion (a restart would rebuild the graph).
                    "ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding "
                    "WHERE {}.embedding IS DISTINCT FROM EXCLUDED.embedding RETURNING id, seq"
                ).format(self._table, self._table),
                {"ids": batch, "vectors": [literal(change.vectors[n]) for n in batch]},
            )
            seqs.update((str(r[0]), int(r[1])) for r in rows)
            unchanged = [n for n in batch if n not in seqs]
            if unchanged:
                rows = yield _Query(
                    (),
                    sql.SQL("SELECT id, seq FROM {} WHERE id = ANY(%(ids)s)").format(self._table),
                    {"ids": unchanged},
                )
                seqs.update((str(r[0]), int(r[1])) for r in rows)
        reserve = [n for n in dict.fromkeys(change.reserve) if n not in change.vectors]
        if reserve:
            # Never over a vector another replica wrote (this one may not have read it yet).
            zero = literal(np.zeros(self.dim, dtype=np.float32))
            yield _Query(
                (),
                sql.SQL(
                    "INSERT INTO {} (id, embedding) SELECT id, %(zero)s::vector FROM unnest(%(ids)s::text[]) AS v(id) "
                    "ON CONFLICT (id) DO NOTHING"
                ).format(self._table),
                {"ids": reserve, "zero": zero},
            )
            rows = yield _Query(
                (), sql.SQL("SELECT id, seq FROM {} WHERE id = ANY(%(ids)s)").format(self._table), {"ids": reserve}
            )
            seqs.update((str(r[0]), int(r[1])) for r in rows)
        return seqs

    def seqs(self, ids: Sequence[str]) -> dict[str, int]:
        return self._drive(self._seqs(ids))

    async def aseqs(self, ids: Sequence[str]) -> dict[str, int]:
        return await self._adrive(self._seqs(ids))

    def _seqs(self, ids: Sequence[str]) -> Generator[_Query, list[tuple[Any, ...]], dict[str, int]]:
        rows = yield _Query(
            (), sql.SQL("SELECT id, seq FROM {} WHERE id = ANY(%(ids)s)").format(self._table), {"ids": list(ids)}
        )
        return {str(r[0]): int(r[1]) for r in rows}

    # --- reads ----------------------------------------------------------------------------

    def vectors(self, ids: Sequence[str]) -> dict[str, Vectors]:
        """The stored vectors of `ids` (missing ones left out)."""
        return self._drive(self._vectors(ids))

    async def avectors(self, ids: Sequence[str]) -> dict[str, Vectors]:
        return await self._adrive(self._vectors(ids))

    def _vectors(self, ids: Sequence[str]) -> Generator[_Query, list[tuple[Any, ...]], dict[str, Vectors]]:
        if not ids:
            return {}
        rows = yield _Query(
            (), sql.SQL("SELECT id, embedding FROM {} WHERE id = ANY(%(ids)s)").format(self._table), {"ids": list(ids)}
        )
        return {str(r[0]): _vector(r[1]) for r in rows}

    def search_seqs(self, query: Vectors, k: int, allowed: npt.NDArray[np.int64] | None, live: int) -> list[Row]:
        """The k rows nearest `query` among the `allowed` seq numbers (None: all), of `live` rows in all."""
        return self._drive(self._search(query, k, allowed, live))

    async def asearch_seqs(self, query: Vectors, k: int, allowed: npt.NDArray[np.int64] | None, live: int) -> list[Row]:
        return await self._adrive(self._search(query, k, allowed, live))

    def _search(
        self, query: Vectors, k: int, allowed: npt.NDArray[np.int64] | None, live: int
    ) -> Generator[_Query, list[tuple[Any, ...]], list[Row]]:
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if k <= 0 or (allowed is not None and len(allowed) == 0):
            return []
        text = literal(q)
        want = k * self.rerank_factor
        if allowed is None:
            rows = yield self._walk(text, k, want, None, self.ef_search)
            return _rerank(q, rows, k)
        allowed = np.unique(allowed)
        if len(allowed) <= max(self.exact_below, want) or len(allowed) < self.exact_fraction * live:
            rows = yield self._exact(text, k, sql.SQL("seq = ANY(%(seqs)s)"), {"seqs": allowed.tolist()})
            return _rerank(q, rows, k)
        bits = np.zeros(int(allowed[-1]) + 1, dtype=np.bool_)
        bits[allowed] = True
        bitmap = {"bits": np.packbits(bits, bitorder="little").tobytes(), "nbits": len(bits)}
        enough = min(k, len(allowed))
        breadth = min(MAX_EF_SEARCH, int(max(self.ef_search, want) * max(live, 1) / len(allowed)))
        rows = yield self._walk(text, k, want, bitmap, breadth)
        if len(rows) < enough and breadth < MAX_EF_SEARCH:
            rows = yield self._walk(text, k, want, bitmap, MAX_EF_SEARCH)
        if len(rows) < enough:  # the graph walk's neighbours were mostly filtered out
            rows = yield self._exact(text, k, _BITMAP, bitmap)
        return _rerank(q, rows, k)

    def _walk(self, q: str, k: int, want: int, bitmap: dict[str, Any] | None, breadth: int) -> _Query:
        """The HNSW walk: `want` candidates, reranked exactly to the best k (true distances, ties by id)."""
        where = sql.SQL("WHERE ") + _BITMAP if bitmap is not None else sql.SQL("")
        statement = sql.SQL(
            "SELECT id, embedding FROM (SELECT id, embedding FROM {} {} ORDER BY embedding <#> %(q)s::vector "
            "LIMIT %(want)s) c ORDER BY embedding <#> %(q)s::vector, id LIMIT %(k)s"
        ).format(self._table, where)
        return _Query(
            (("hnsw.ef_search", str(max(breadth, min(want, MAX_EF_SEARCH)))),),
            statement,
            {"q": q, "want": want, "k": k, **(bitmap or {})},
        )

    def _exact(self, q: str, k: int, where: sql.Composed | sql.SQL, params: dict[str, Any]) -> _Query:
        statement = sql.SQL(
            "SELECT id, embedding FROM {} WHERE {} ORDER BY embedding <#> %(q)s::vector, id LIMIT %(k)s"
        ).format(self._table, where)
        return _Query((("enable_indexscan", "off"),), statement, {"q": q, "k": k, **params})

    # --- the `VectorIndex` interface (string ids; synchronous) -------------------------------

    def upsert(self, ids: Sequence[str], vectors: Vectors) -> None:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        self.write(Write(dict(zip(ids, vectors, strict=True))))

    def remove(self, ids: Sequence[str]) -> None:
        self.write(Write({}, delete=list(ids)))

    def __len__(self) -> int:
        row = self._sync().execute(sql.SQL("SELECT count(*) FROM {}").format(self._table)).fetchone()
        return int(row[0]) if row else 0

    def search(self, query: Vectors, k: int, allowed: Sequence[str] | None = None) -> list[tuple[str, float]]:
        seqs = None if allowed is None else np.fromiter(self.seqs(allowed).values(), dtype=np.int64)
        return [(name, sim) for name, sim, _ in self.search_seqs(query, k, seqs, len(self))]


# Allowed when the bitmap has the row's bit (a row newer than the bitmap is not allowed).
_BITMAP = sql.SQL("(CASE WHEN seq < %(nbits)s THEN get_bit(%(bits)s::bytea, seq) ELSE 0 END) = 1")


def _rerank(q: Vectors, rows: list[tuple[Any, ...]], k: int) -> list[Row]:
    """Exact inner products of the fetched rows (float32, as faiss's rerank), best first, ties by id."""
    if not rows:
        return []
    names = [str(r[0]) for r in rows]
    vectors = np.stack([_vector(r[1]) for r in rows])
    sims = vectors @ q
    order = sorted(range(len(rows)), key=lambda i: (-float(sims[i]), names[i]))[:k]
    return [(names[i], float(sims[i]), vectors[i]) for i in order]


class PgVectorSlots:
    """`PgVectorIndex` as `ranking.Matcher`'s job index (`retrieval.SlotIndex`): the service's
    pgvector backend (`MATCHING_INDEX=pgvector`).

    It holds no vector: in memory only each job's row number (the eligibility columns are
    indexed by it), its name and its `seq` in the table (the filter's bitmap is built from
    them). Changes are queued (`upsert`, `reserve`, `remove`, instant, no I/O) and written
    by `flush` / `aflush`; on an index with a synchronous connection they are written at once.
    A search turns the eligibility mask into the allowed `seq` numbers (filters before the
    top-k; `PgVectorIndex.search_seqs`) and returns the k best rows with their vectors, for
    the caller to score; `asearch_rows` / `avectors` are awaited by the service.
    """

    holds_vectors = False

    def __init__(self, store: PgVectorIndex) -> None:
        self.dim = store.dim
        self._store = store
        self._ids: list[str | None] = []
        self._slot: dict[str, int] = {}
        self._free: list[int] = []
        self._seq = np.full(0, -1, dtype=np.int64)  # per slot; -1 until written
        self._pending: dict[str, Vectors | None] = {}  # None: delete
        self._reserve: set[str] = set()
        self._resync = False

    def __getstate__(self) -> dict[str, object]:
        """For a snapshot: the rows only (the vectors stay in PostgreSQL); `attach` after loading."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_store", "_pending", "_reserve")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._pending, self._reserve = {}, set()

    def attach(self, store: PgVectorIndex) -> None:
        """Reconnect a restored index; the next flush re-reads every row's `seq` (the table may have moved on)."""
        self._store = store
        self._resync = True

    def _assign(self, ids: Sequence[str]) -> None:
        for key in ids:
            if key not in self._slot:
                if self._free:
                    s = self._free.pop()
                    self._ids[s] = key
                else:
                    s = len(self._ids)
                    self._ids.append(key)
                self._slot[key] = s
        if len(self._seq) < len(self._ids):
            self._seq = np.concatenate([self._seq, np.full(len(self._ids) - len(self._seq), -1, dtype=np.int64)])

    def upsert(self, ids: Sequence[str], vectors: Vectors) -> None:
        """Rows for `ids` with these vectors (queued)."""
        self._assign(ids)
        for key, vector in zip(ids, np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim), strict=True):
            self._pending[key] = vector
            self._reserve.discard(key)
        self._autoflush()

    def reserve(self, ids: Sequence[str]) -> None:
        """Rows for jobs known before their vectors (a zero vector, unless the table has one)."""
        self._assign(ids)
        self._reserve.update(k for k in ids if k not in self._pending)
        self._autoflush()

    def remove(self, ids: Sequence[str]) -> None:
        for key in ids:
            if key in self._slot:
                s = self._slot.pop(key)
                self._ids[s] = None
                self._seq[s] = -1
                self._free.append(s)
                self._pending[key] = None
                self._reserve.discard(key)
        self._autoflush()

    def _autoflush(self) -> None:
        if self._store._conn is not None:
            self.flush()

    def _change(self) -> Write:
        change = Write(
            {k: v for k, v in self._pending.items() if v is not None},
            reserve=sorted(self._reserve),
            delete=[k for k, v in self._pending.items() if v is None],
        )
        self._pending, self._reserve = {}, set()
        return change

    def _learn(self, seqs: Mapping[str, int]) -> None:
        for key, seq in seqs.items():
            s = self._slot.get(key)
            if s is not None:
                self._seq[s] = seq

    def flush(self) -> None:
        """Write the queued changes (synchronously)."""
        if self._resync:
            self._learn(self._store.seqs([k for k in self._ids if k is not None]))
            self._resync = False
        if self._pending or self._reserve:
            self._learn(self._store.write(self._change()))

    async def aflush(self) -> None:
        """Write the queued changes (awaited: the event loop goes on)."""
        if self._resync:
            self._resync = False
            self._learn(await self._store.aseqs([k for k in self._ids if k is not None]))
        if self._pending or self._reserve:
            self._learn(await self._store.awrite(self._change()))

    def _allowed(self, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        seqs = self._seq[: len(mask)][mask[: len(self._seq)]]
        out: npt.NDArray[np.int64] = seqs[seqs >= 0]
        return out

    def search_rows(self, query: Vectors, k: int, mask: npt.NDArray[np.bool_]) -> list[Row]:
        """The k nearest jobs where `mask` is true, with their vectors (synchronously)."""
        return self._store.search_seqs(query, k, self._allowed(mask), len(self._slot))

    async def asearch_rows(self, query: Vectors, k: int, mask: npt.NDArray[np.bool_]) -> list[Row]:
        # The allowed set is taken now, before the await: a mask is only valid for these rows.
        return await self._store.asearch_seqs(query, k, self._allowed(mask), len(self._slot))

    def vectors(self, ids: Sequence[str]) -> dict[str, Vectors]:
        return self._store.vectors(ids)

    async def avectors(self, ids: Sequence[str]) -> dict[str, Vectors]:
        return await self._store.avectors(ids)

    def search(self, query: Vectors, k: int, allowed: Sequence[str] | None = None) -> list[tuple[str, float]]:
        return self.search_mask(query, k, self.slot_mask(allowed))

    def search_mask(self, query: Vectors, k: int, mask: npt.NDArray[np.bool_]) -> list[tuple[str, float]]:
        return [(name, sim) for name, sim, _ in self.search_rows(query, k, mask)]

    async def asearch_mask(self, query: Vectors, k: int, mask: npt.NDArray[np.bool_]) -> list[tuple[str, float]]:
        return [(name, sim) for name, sim, _ in await self.asearch_rows(query, k, mask)]

    def slot_mask(self, allowed: Sequence[str] | None) -> npt.NDArray[np.bool_]:
        mask = np.zeros(len(self._ids), dtype=np.bool_)
        names = self._slot if allowed is None else [a for a in allowed if a in self._slot]
        mask[[self._slot[n] for n in names]] = True
        return mask

    def slot(self, name: str) -> int:
        return self._slot[name]

    def name_at(self, slot: int) -> str | None:
        return self._ids[slot]

    @property
    def capacity(self) -> int:
        return len(self._ids)

    def __len__(self) -> int:
        return len(self._slot)
