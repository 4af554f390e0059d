"""The matcher on the pgvector backend, in-process: the same recommendations as on faiss, and no
job vector kept in the replica's memory (they live only in PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import numpy as np
import pytest

from services.matching.domain.quality import NOW, generate, synthetic_vectors
from services.matching.domain.ranking import Matcher
from services.matching.pgvector_index import BlockingCall, PgVectorIndex, PgVectorSlots

DIM = 64
JOBS = 600


@pytest.fixture(scope="module")
def market():
    qs = generate(3, 40, JOBS, with_grades=False)
    return qs, synthetic_vectors(qs, DIM, 3)


@pytest.fixture
def pair(market, pgvector_url) -> Iterator[tuple[Matcher, Matcher]]:
    """The same market in a faiss matcher and a pgvector one (its own table)."""
    qs, vectors = market
    store = PgVectorIndex(pgvector_url, DIM, table=f"m_{uuid.uuid4().hex[:8]}")
    matchers = (Matcher(DIM), Matcher(DIM, index=PgVectorSlots(store)))
    for matcher in matchers:
        matcher.upsert_jobs((j, vectors[j.name]) for j in qs.jobs)
        for w in qs.workers:
            matcher.upsert_worker(w, vectors[w.name])
    yield matchers
    store.close()


def _rows(ranked) -> list[tuple[str, float]]:
    return [(r.id, r.score.total) for r in ranked]


def _close(x: list[tuple[str, float]], y: list[tuple[str, float]]) -> bool:
    same = [i for i, _ in x] == [i for i, _ in y]
    return same and all(abs(a - b) < 1e-6 for (_, a), (_, b) in zip(x, y, strict=True))


def test_recommendations_equal_faiss(market, pair) -> None:
    qs, _ = market
    faiss, pg = pair
    for worker in list(qs.workers)[:12]:
        for offset in (0, 10):
            a, more_a = faiss.recommend_jobs(worker, NOW, limit=10, offset=offset)
            b, more_b = pg.recommend_jobs(worker, NOW, limit=10, offset=offset)
            assert _close(_rows(b), _rows(a)) and more_a == more_b
    for job in list(qs.jobs)[:5]:
        assert _close(
            _rows(pg.recommend_workers(job, NOW, limit=10)[0]), _rows(faiss.recommend_workers(job, NOW, limit=10)[0])
        )
        assert [(f.worker.name, round(f.for_worker.total, 6)) for f in pg.matches_for_job(job, NOW, 0.4, limit=20)] == [
            (f.worker.name, round(f.for_worker.total, 6)) for f in faiss.matches_for_job(job, NOW, 0.4, limit=20)
        ]
        worker = next(iter(qs.workers))
        assert pg.explain(worker, job, NOW).score.total == pytest.approx(faiss.explain(worker, job, NOW).score.total)


def _arrays(root: object) -> Iterator[np.ndarray]:
    """Every ndarray reachable from `root` through attributes and containers."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, str | bytes | int | float | bool | type(None)):
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            yield item
        elif isinstance(item, dict):
            stack += list(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack += list(item)
        elif hasattr(item, "__dict__") and type(item).__module__.startswith("services."):
            stack += list(vars(item).values())


def test_the_pgvector_matcher_keeps_no_job_vectors_in_memory(market, pair) -> None:
    qs, _ = market
    faiss, pg = pair
    # The faiss matcher holds every job's vector (its map and the index's array): the probe sees them.
    assert sum(a.size for a in _arrays(faiss) if a.dtype == np.float32) >= JOBS * DIM
    assert not pg.job_vectors and len(pg.vectored) == JOBS
    # The pgvector matcher: the worker vectors (its map and the worker columns) and the mean only:
    # 40 workers' worth, far below the 600 jobs' (a job vector kept anywhere would exceed it).
    floats = sum(a.size for a in _arrays(pg) if a.dtype.kind == "f" and a.dtype.itemsize <= 4)
    assert floats < JOBS * DIM // 4
    assert floats <= sum(a.size for a in _arrays(pg.worker_table) if a.dtype.kind == "f") + (len(qs.workers) + 1) * DIM
    assert pg.index.capacity == JOBS and all(a.nbytes < JOBS * DIM for a in _arrays(pg.index))


def test_an_async_only_index_refuses_synchronous_queries(pgvector_url) -> None:
    """The service's index has no synchronous connection: a blocking query cannot happen by mistake."""
    index = PgVectorIndex(pgvector_url, DIM, table="never", sync=False)
    slots = PgVectorSlots(index)
    slots.upsert(["a"], np.ones((1, DIM), np.float32))  # queued, no I/O
    with pytest.raises(BlockingCall):
        slots.flush()
    with pytest.raises(BlockingCall):
        slots.vectors(["a"])
    with pytest.raises(BlockingCall):
        index.search_seqs(np.ones(DIM, np.float32), 5, None, 1)


def test_a_replica_loading_the_same_vectors_rewrites_no_row(market, pair) -> None:
    """Every replica writes the vectors it loads into the shared table; unchanged rows are left alone
    (a rewrite is an HNSW insertion: each restart would rebuild the graph)."""
    qs, vectors = market
    _, pg = pair
    store = pg.index._store
    table = store._table

    def versions() -> list[tuple[str, str]]:
        from psycopg import sql

        query = sql.SQL("SELECT id, xmin::text FROM {} ORDER BY id").format(table)
        return [(str(a), str(b)) for a, b in store._conn.execute(query).fetchall()]

    before = versions()
    again = Matcher(DIM, index=PgVectorSlots(store))
    again.upsert_jobs((j, vectors[j.name]) for j in qs.jobs)
    assert versions() == before
    again.upsert_worker(qs.workers[0], vectors[qs.workers[0].name])
    assert again.recommend_jobs(qs.workers[0], NOW, limit=5)[0] == pg.recommend_jobs(qs.workers[0], NOW, limit=5)[0]
