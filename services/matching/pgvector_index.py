"""The `VectorIndex` interface over PostgreSQL with pgvector.

For deployments whose index outgrows a replica's memory: vectors live in one
table shared by every replica, with an HNSW index (inner product). Filters
apply before the top-k:

- a small allowed set (fewer than `exact_below` ids, or under
  `exact_fraction` of the rows) is searched exactly, with the index scan
  switched off for that query;
- a large one uses the HNSW index with `hnsw.ef_search` widened in inverse
  proportion to the share allowed, and falls back to the exact search if
  the filtered index scan returns fewer than k rows (pgvector filters after
  the graph walk).

Needs the `vector` extension (pgvector >= 0.5: HNSW). `pgserver` ships
PostgreSQL 16 with pgvector 0.6.2; Debian's PostgreSQL 15 here has none.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import psycopg
from psycopg import sql

Vectors = npt.NDArray[np.float32]


def _literal(vector: npt.NDArray[np.float32]) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32).reshape(-1)) + "]"


class PgVectorIndex:
    """Vectors in `<schema>.<table>` (id text, embedding vector(dim)), HNSW over inner product."""

    def __init__(
        self,
        conninfo: str,
        dim: int,
        *,
        schema: str = "matching",
        table: str = "job_vectors",
        ef_search: int = 256,
        rerank_factor: int = 4,
        exact_below: int = 10_000,
        exact_fraction: float = 0.1,
    ) -> None:
        self.dim = dim
        self.ef_search, self.rerank_factor = ef_search, rerank_factor
        self.exact_below, self.exact_fraction = exact_below, exact_fraction
        self._conn = psycopg.connect(conninfo, autocommit=True)
        self._table = sql.Identifier(schema, table)
        self._conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        self._conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        self._conn.execute(
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (id text PRIMARY KEY, embedding vector({}) NOT NULL)").format(
                self._table, sql.Literal(dim)
            )
        )
        self._conn.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING hnsw (embedding vector_ip_ops)").format(
                sql.Identifier(f"{table}_hnsw"), self._table
            )
        )

    def close(self) -> None:
        self._conn.close()

    def upsert(self, ids: Sequence[str], vectors: Vectors) -> None:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        with self._conn.transaction():
            self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS vector_load (id text, embedding text) ON COMMIT DROP")
            with self._conn.cursor().copy("COPY vector_load (id, embedding) FROM STDIN") as copy:
                for key, vector in zip(ids, vectors, strict=True):
                    copy.write_row((key, _literal(vector)))
            self._conn.execute(
                sql.SQL(
                    "INSERT INTO {} (id, embedding) SELECT DISTINCT ON (id) id, embedding::vector FROM vector_load "
                    "ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding"
                ).format(self._table)
            )

    def remove(self, ids: Sequence[str]) -> None:
        self._conn.execute(sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(self._table), (list(ids),))

    def __len__(self) -> int:
        row = self._conn.execute(sql.SQL("SELECT count(*) FROM {}").format(self._table)).fetchone()
        return int(row[0]) if row else 0

    def search(self, query: Vectors, k: int, allowed: Sequence[str] | None = None) -> list[tuple[str, float]]:
        if k <= 0 or (allowed is not None and not allowed):
            return []
        q = _literal(query)
        if allowed is None:
            return self._index_scan(q, k, None, self.ef_search)
        total = len(self)
        if len(allowed) <= max(self.exact_below, k * self.rerank_factor) or len(allowed) < self.exact_fraction * total:
            return self._exact(q, k, allowed)
        breadth = min(1000, int(max(self.ef_search, k * self.rerank_factor) * total / len(allowed)))
        found = self._index_scan(q, k, allowed, breadth)
        return found if len(found) >= min(k, len(allowed)) else self._exact(q, k, allowed)

    def _index_scan(self, q: str, k: int, allowed: Sequence[str] | None, breadth: int) -> list[tuple[str, float]]:
        where = sql.SQL("WHERE id = ANY(%(allowed)s)") if allowed is not None else sql.SQL("")
        with self._conn.transaction():
            self._conn.execute(sql.SQL("SET LOCAL hnsw.ef_search = {}").format(sql.Literal(breadth)))
            rows = self._conn.execute(
                sql.SQL(
                    "SELECT id, -(embedding <#> %(q)s::vector) AS sim FROM {} {} "
                    "ORDER BY embedding <#> %(q)s::vector LIMIT %(n)s"
                ).format(self._table, where),
                {"q": q, "n": k * self.rerank_factor, "allowed": list(allowed) if allowed is not None else None},
            ).fetchall()
        # Exact rerank: the similarities are exact; the graph's order is not.
        ranked = sorted(((str(r[0]), float(r[1])) for r in rows), key=lambda t: (-t[1], t[0]))
        return ranked[:k]

    def _exact(self, q: str, k: int, allowed: Sequence[str]) -> list[tuple[str, float]]:
        with self._conn.transaction():
            self._conn.execute("SET LOCAL enable_indexscan = off")
            rows = self._conn.execute(
                sql.SQL(
                    "SELECT id, -(embedding <#> %(q)s::vector) AS sim FROM {} WHERE id = ANY(%(allowed)s) "
                    "ORDER BY embedding <#> %(q)s::vector, id LIMIT %(k)s"
                ).format(self._table),
                {"q": q, "k": k, "allowed": list(allowed)},
            ).fetchall()
        return [(str(r[0]), float(r[1])) for r in rows]


class PgVectorSlots:
    """`PgVectorIndex` as `ranking.Matcher`'s job index (`retrieval.SlotIndex`): the service's
    pgvector backend (`MATCHING_INDEX=pgvector`).

    In memory only each job's row number (the eligibility columns are indexed by it) and
    name; the vectors and the HNSW graph live in PostgreSQL, one table shared by every
    replica (each writes the same vector for the same job, so they agree). A search turns
    the eligibility mask into the allowed names and asks PostgreSQL for the nearest of
    those (filters before the top-k; `PgVectorIndex.search`).
    """

    def __init__(self, store: PgVectorIndex) -> None:
        self.dim = store.dim
        self._store = store
        self._ids: list[str | None] = []
        self._slot: dict[str, int] = {}
        self._free: list[int] = []

    def __getstate__(self) -> dict[str, object]:
        """For a snapshot: the rows only (the vectors stay in PostgreSQL); `attach` after loading."""
        return {k: v for k, v in self.__dict__.items() if k != "_store"}

    def attach(self, store: PgVectorIndex) -> None:
        self._store = store

    def upsert(self, ids: Sequence[str], vectors: Vectors) -> None:
        for key in ids:
            if key not in self._slot:
                if self._free:
                    s = self._free.pop()
                    self._ids[s] = key
                else:
                    s = len(self._ids)
                    self._ids.append(key)
                self._slot[key] = s
        if len(ids):
            self._store.upsert(ids, vectors)

    def remove(self, ids: Sequence[str]) -> None:
        gone = [key for key in ids if key in self._slot]
        for key in gone:
            s = self._slot.pop(key)
            self._ids[s] = None
            self._free.append(s)
        if gone:
            self._store.remove(gone)

    def search(self, query: Vectors, k: int, allowed: Sequence[str] | None = None) -> list[tuple[str, float]]:
        return self.search_mask(query, k, self.slot_mask(allowed))

    def search_mask(self, query: Vectors, k: int, mask: npt.NDArray[np.bool_]) -> list[tuple[str, float]]:
        allowed = [name for s in np.flatnonzero(mask) if (name := self._ids[int(s)]) is not None]
        return self._store.search(query, k, allowed)

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
