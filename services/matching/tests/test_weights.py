"""Learned weights: reproducible, versioned, fallback, and they find what the labels reward."""

from __future__ import annotations

import numpy as np

from services.matching.domain.scoring import POSITIVE, Component
from services.matching.domain.weights import HAND_SET, Weights, learn_logistic, learn_pairwise


def planted(seed: int, n: int = 600) -> tuple[np.ndarray, list[float], list[str]]:
    """Outcomes that depend on skills and evidence only."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, len(POSITIVE)))
    s, e = POSITIVE.index(Component.SKILLS), POSITIVE.index(Component.EVIDENCE)
    utility = 3 * x[:, s] + 2 * x[:, e] + 0.3 * rng.standard_normal(n)
    grades = np.digitize(utility, np.quantile(utility, [0.5, 0.75, 0.9])).astype(float) * 1.5
    return x, list(grades), [f"w{i // 10}" for i in range(n)]


def test_pairwise_finds_the_rewarded_components_and_is_reproducible() -> None:
    x, grades, groups = planted(1)
    a = learn_pairwise(x, grades, groups)
    b = learn_pairwise(x, grades, groups)
    assert a == b and a.version.startswith("pairwise-")
    top = sorted(POSITIVE, key=lambda c: -a.values[c])[:2]
    assert set(top) == {Component.SKILLS, Component.EVIDENCE}
    assert abs(sum(a.values[c] for c in POSITIVE) - 1.0) < 1e-9
    assert a.values[Component.EXPOSURE] == HAND_SET.values[Component.EXPOSURE]
    other = learn_pairwise(*planted(2))
    assert other.version != a.version


def test_logistic_regression_too() -> None:
    x, grades, _ = planted(3)
    w = learn_logistic(x, grades)
    assert w.version.startswith("lr-")
    assert set(sorted(POSITIVE, key=lambda c: -w.values[c])[:2]) == {Component.SKILLS, Component.EVIDENCE}


def test_too_few_labels_fall_back_to_hand_set() -> None:
    x, grades, groups = planted(4, n=20)
    assert learn_pairwise(x[:5], grades[:5], groups[:5]) is HAND_SET
    assert learn_logistic(x[:20], [0.0] * 20) is HAND_SET


def test_weights_round_trip_as_json() -> None:
    w = learn_pairwise(*planted(5))
    back = Weights.from_json(w.to_json())
    assert back.version == w.version
    assert all(abs(back.values[c] - w.values[c]) < 1e-6 for c in w.values)
