"""Component weights: hand-set, or learned from feedback, versioned.

Labels come from what workers and employers did with matches (application
outcomes and explicit feedback, see `labels`). Two learners, both
deterministic (full-batch projected gradient descent from a fixed start, no
randomness), so the same data gives the same weights and the same version:

- `learn_logistic`: logistic regression of "good outcome" on the components;
- `learn_pairwise`: a pairwise (RankNet-style) logistic loss on pairs of one
  worker's jobs with different outcomes, which fits ranking directly.

Learned weights are clipped to be non-negative and scaled to sum to 1, so a
total stays in [0, 1] and every component keeps its meaning ("more is
better"). With too few labels, the hand-set weights are the fallback. The
exposure weight is a policy, not learned.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.matching.domain.scoring import POSITIVE, Component

HAND_SET_VERSION = "hand-set"
MIN_LABELS = 50


@dataclass(frozen=True)
class Weights:
    """Weights by component and the version that names them."""

    version: str
    values: dict[Component, float]

    def to_json(self) -> str:
        return json.dumps(
            {"version": self.version, "weights": {c.value: round(w, 6) for c, w in self.values.items()}},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Weights:
        body = json.loads(text)
        return cls(str(body["version"]), {Component(k): float(v) for k, v in body["weights"].items()})


HAND_SET = Weights(
    HAND_SET_VERSION,
    {
        Component.SEMANTIC: 0.25,
        Component.SKILLS: 0.25,
        Component.LANGUAGE: 0.07,
        Component.WAGE: 0.10,
        Component.LOCATION: 0.08,
        Component.EXPERIENCE: 0.07,
        Component.EVIDENCE: 0.13,
        Component.FRESHNESS: 0.05,
        Component.EXPOSURE: 0.15,
    },
)

# Application outcomes as graded labels (implicit feedback).
OUTCOME_LABELS = {
    "WITHDRAWN": 0.0,
    "REJECTED": 0.0,
    "APPLIED": 1.0,
    "SHORTLISTED": 2.0,
    "INTERVIEW": 3.0,
    "OFFER": 4.0,
    "HIRED": 5.0,
    "NOT_INTERESTED": 0.0,
    "SAVED": 1.0,
}
# At or above this grade an outcome counts as good (for logistic regression).
GOOD_OUTCOME = 2.0

Matrix = npt.NDArray[np.float64]


def features(values: Sequence[dict[Component, float]]) -> Matrix:
    """Rows of the positive components' values, in `POSITIVE` order."""
    return np.array([[v[c] for c in POSITIVE] for v in values], dtype=np.float64).reshape(-1, len(POSITIVE))


def _version(kind: str, x: Matrix, y: npt.NDArray[np.float64], extra: str) -> str:
    digest = hashlib.sha256()
    digest.update(kind.encode())
    digest.update(np.ascontiguousarray(np.round(x, 6)).tobytes())
    digest.update(np.ascontiguousarray(y).tobytes())
    digest.update(extra.encode())
    return f"{kind}-{digest.hexdigest()[:12]}"


def _finish(kind: str, coef: npt.NDArray[np.float64], x: Matrix, y: npt.NDArray[np.float64], extra: str) -> Weights:
    coef = np.clip(coef, 0.0, None)
    if coef.sum() <= 1e-9:
        return HAND_SET
    coef = coef / coef.sum()
    values: dict[Component, float] = {c: float(w) for c, w in zip(POSITIVE, coef, strict=True)}
    values[Component.EXPOSURE] = HAND_SET.values[Component.EXPOSURE]
    return Weights(_version(kind, x, y, extra), values)


def learn_logistic(
    x: Matrix, grades: Sequence[float], *, l2: float = 1e-3, steps: int = 3000, rate: float = 0.5
) -> Weights:
    """Logistic regression of good outcome (grade >= GOOD_OUTCOME) on the components."""
    y = (np.asarray(grades, dtype=np.float64) >= GOOD_OUTCOME).astype(np.float64)
    if len(y) < MIN_LABELS or y.min() == y.max():
        return HAND_SET
    mean = x.mean(axis=0)
    xc = x - mean
    coef = np.zeros(x.shape[1])
    bias = float(np.log(y.mean() / (1 - y.mean())))
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(xc @ coef + bias)))
        grad = xc.T @ (p - y) / len(y) + l2 * coef
        coef -= rate * grad
        bias -= rate * float(np.mean(p - y))
    return _finish("lr", coef, x, y, f"l2={l2},steps={steps},rate={rate}")


def learn_pairwise(
    x: Matrix,
    grades: Sequence[float],
    groups: Sequence[str],
    *,
    l2: float = 0.01,
    steps: int = 2000,
    rate: float = 1.0,
    max_pairs: int = 200_000,
    prior: Weights = HAND_SET,
) -> Weights:
    """Pairwise logistic loss over pairs of one group's items with different grades.

    The L2 term pulls towards `prior` (the hand-set weights, scaled like the
    fit), so components the labels say little about keep their prior weight
    instead of drifting; the labels move what they can measure.
    """
    y = np.asarray(grades, dtype=np.float64)
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    better, worse = [], []
    for g in sorted(by_group):
        idx = by_group[g]
        for a in idx:
            for b in idx:
                if y[a] > y[b]:
                    better.append(a)
                    worse.append(b)
    if len(better) < MIN_LABELS:
        return HAND_SET
    if len(better) > max_pairs:  # deterministic thinning
        keep = np.linspace(0, len(better) - 1, max_pairs).astype(int)
        better = [better[i] for i in keep]
        worse = [worse[i] for i in keep]
    diff = x[better] - x[worse]
    anchor = np.array([prior.values.get(c, 0.0) for c in POSITIVE])
    anchor = anchor / max(anchor.sum(), 1e-12)
    # The loss is scale-free in direction but not in magnitude: fit a scale for the prior first.
    scale = 1.0
    for _ in range(200):
        margin = scale * (diff @ anchor)
        scale += rate * float(np.mean((diff @ anchor) / (1.0 + np.exp(margin))))
    anchor = anchor * max(scale, 1.0)
    coef = anchor.copy()
    for _ in range(steps):
        margin = diff @ coef
        grad = -(diff.T @ (1.0 / (1.0 + np.exp(margin)))) / len(diff) + l2 * (coef - anchor)
        coef = np.clip(coef - rate * grad, 0.0, None)
    return _finish("pairwise", coef, x, y, f"l2={l2},steps={steps},rate={rate},pairs={len(diff)},prior={prior.version}")
