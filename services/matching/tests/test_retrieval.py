"""The vector index backends: same answers as exact search, filters before top-k."""

from __future__ import annotations

import numpy as np
import pytest

from services.matching.domain.retrieval import ExactIndex, FaissHnswIndex


def structured(n: int, dim: int, seed: int) -> np.ndarray:
    """Clustered unit vectors (i.i.d. noise would make HNSW recall meaningless)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(4, n // 100), dim)).astype(np.float32)
    x = centres[rng.integers(0, len(centres), n)] + 0.8 * rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def data() -> tuple[list[str], np.ndarray, np.ndarray]:
    x = structured(6000, 64, 0)
    q = structured(50, 64, 1)
    return [f"j{i}" for i in range(len(x))], x, q


def backends(dim: int) -> list[ExactIndex | FaissHnswIndex]:
    # exact_below=0/exact_fraction=0: force the graph path so HNSW itself is tested.
    return [ExactIndex(dim), FaissHnswIndex(dim, exact_below=0, exact_fraction=0.0)]


@pytest.mark.parametrize("fraction", [1.0, 0.3, 0.02])
def test_recall_at_20_against_exact_filtered_search(data, fraction: float) -> None:
    ids, x, queries = data
    exact, hnsw = backends(x.shape[1])
    for index in (exact, hnsw):
        index.upsert(ids, x)
    rng = np.random.default_rng(2)
    hits = total = 0
    for q in queries:
        allowed = [i for i in ids if rng.random() < fraction]
        truth = exact.search(q, 20, allowed)
        got = hnsw.search(q, 20, allowed)
        assert len(got) == len(truth) == min(20, len(allowed))
        assert set(dict(got)) <= set(allowed)
        # Exact rerank: reported similarities are the true inner products, best first.
        for name, sim in got:
            assert sim == pytest.approx(float(x[ids.index(name)] @ q), abs=1e-5)
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
        hits += len(set(dict(got)) & set(dict(truth)))
        total += len(truth)
    assert hits / total >= 0.95


def test_a_rare_filter_still_fills_k(data) -> None:
    ids, x, queries = data
    for index in backends(x.shape[1]):
        index.upsert(ids, x)
        allowed = ids[::250]  # 24 of 6000
        got = index.search(queries[0], 20, allowed)
        assert len(got) == 20 and set(dict(got)) <= set(allowed)


def test_updates_and_removals(data) -> None:
    ids, x, queries = data
    for index in backends(x.shape[1]):
        index.upsert(ids[:2000], x[:2000])
        q = queries[0]
        index.upsert(["j5"], q[None, :])  # moved right onto the query
        assert index.search(q, 1)[0][0] == "j5"
        index.remove(["j5"])
        assert "j5" not in dict(index.search(q, 50))
        index.upsert(["new"], q[None, :])
        assert index.search(q, 1) == [("new", pytest.approx(1.0, abs=1e-5))]
        assert len(index) == 2000
