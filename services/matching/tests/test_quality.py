"""The quality set and its NDCG ladder (structured vectors; real e5 vectors: tests/test_matching_quality.py)."""

from __future__ import annotations

import pytest

from services.matching.domain.quality import generate, ndcg_at, report, synthetic_vectors


def test_ndcg() -> None:
    assert ndcg_at([3, 2, 1, 0]) == 1.0
    assert ndcg_at([0, 0, 0]) == 0.0
    assert 0 < ndcg_at([0, 1, 3]) < 1
    assert ndcg_at([1, 3], k=1) == pytest.approx(1 / 7)


def test_generated_set_is_deterministic_cross_lingual_and_graded() -> None:
    a, b = generate(10), generate(10)
    assert a == b
    assert {a.language[w.name] for w in a.workers} == {"vi", "id", "en", "tl"}
    assert {a.language[j.name] for j in a.jobs} == {"ja"}
    assert set(a.grades.values()) == {0, 1, 2, 3}


def test_each_signal_adds_to_the_ranking() -> None:
    qs = generate(11)
    r = report(qs, synthetic_vectors(qs, 64, 11), 64)
    n = r.ndcg
    assert n["+ semantic"] > n["eligibility only"] + 0.2
    assert n["+ skills"] > n["+ semantic"] + 0.03
    assert n["learned"] > n["eligibility only"] + 0.3
    assert r.learned.version.startswith("pairwise-") and r.train_labels > 500
