"""The vector index backends: same answers as exact search, filters before top-k."""

from __future__ import annotations

import numpy as np
import pytest

from services.matching.domain.retrieval import ExactIndex, FaissHnswIndex, VectorIndex
from services.matching.pgvector_index import PgVectorIndex


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


BACKENDS = ["faiss", "pgvector"]


@pytest.fixture
def make_index(request: pytest.FixtureRequest):
    """A fresh index of the backend under test (`exact_below=0`: the graph path itself is tested)."""
    made: list[PgVectorIndex] = []

    def make(backend: str, dim: int) -> VectorIndex:
        if backend == "faiss":
            return FaissHnswIndex(dim, exact_below=0, exact_fraction=0.0)
        url = request.getfixturevalue("pgvector_url")
        table = f"v{len(made)}_{request.node.name.replace('[', '_').replace(']', '').replace('.', '')}"[:60]
        index = PgVectorIndex(url, dim, table=table.lower(), exact_below=0, exact_fraction=0.0)
        made.append(index)
        return index

    yield make
    for index in made:
        index.close()


@pytest.fixture(scope="module")
def loaded(data, request: pytest.FixtureRequest):
    """Each backend loaded once with the data set (building pgvector's HNSW takes a while)."""
    ids, x, _ = data
    cache: dict[str, VectorIndex] = {}

    def get(backend: str) -> VectorIndex:
        if backend not in cache:
            if backend == "exact":
                index: VectorIndex = ExactIndex(x.shape[1])
            elif backend == "faiss":
                index = FaissHnswIndex(x.shape[1], exact_below=0, exact_fraction=0.0)
            else:
                url = request.getfixturevalue("pgvector_url")
                index = PgVectorIndex(url, x.shape[1], table="recall", exact_below=0, exact_fraction=0.0)
            index.upsert(ids, x)
            cache[backend] = index
        return cache[backend]

    yield get
    for index in cache.values():
        if isinstance(index, PgVectorIndex):
            index.close()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("fraction", [1.0, 0.3, 0.02])
def test_recall_at_20_against_exact_filtered_search(data, loaded, backend: str, fraction: float) -> None:
    ids, x, queries = data
    exact, hnsw = loaded("exact"), loaded(backend)
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


@pytest.mark.parametrize("backend", ["exact", *BACKENDS])
def test_a_rare_filter_still_fills_k(data, loaded, backend: str) -> None:
    ids, x, queries = data
    for index in [loaded(backend)]:
        allowed = ids[::250]  # 24 of 6000
        got = index.search(queries[0], 20, allowed)
        assert len(got) == 20 and set(dict(got)) <= set(allowed)


@pytest.mark.parametrize("backend", ["exact", *BACKENDS])
def test_updates_and_removals(data, make_index, backend: str) -> None:
    ids, x, queries = data
    for index in [ExactIndex(x.shape[1]) if backend == "exact" else make_index(backend, x.shape[1])]:
        index.upsert(ids[:2000], x[:2000])
        q = queries[0]
        index.upsert(["j5"], q[None, :])  # moved right onto the query
        assert index.search(q, 1)[0][0] == "j5"
        index.remove(["j5"])
        assert "j5" not in dict(index.search(q, 50))
        index.upsert(["new"], q[None, :])
        assert index.search(q, 1) == [("new", pytest.approx(1.0, abs=1e-5))]
        assert len(index) == 2000


def test_below_the_exact_thresholds_faiss_answers_as_exact_search(data) -> None:
    """The default index searches small or selective allowed sets exactly: the same answers,
    order and similarities as brute force."""
    ids, x, queries = data
    exact, index = ExactIndex(x.shape[1]), FaissHnswIndex(x.shape[1])
    for i in (exact, index):
        i.upsert(ids, x)
    rng = np.random.default_rng(4)
    for q in queries[:20]:
        for fraction in (1.0, 0.3, 0.05):
            allowed = [i for i in ids if rng.random() < fraction]
            assert index.search(q, 20, allowed) == exact.search(q, 20, allowed)


@pytest.mark.parametrize("k", [20, 200])
def test_the_graph_path_finds_the_exact_top_k_of_a_large_pool(data, loaded, k: int) -> None:
    """The graph itself (no exact fallback), asked for a recommendation's candidate pool."""
    ids, x, queries = data
    exact, hnsw = loaded("exact"), loaded("faiss")
    hits = total = 0
    for q in queries:
        truth = exact.search(q, k)
        got = hnsw.search(q, k)
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
        hits += len(set(dict(got)) & set(dict(truth)))
        total += len(truth)
    assert hits / total >= 0.95
